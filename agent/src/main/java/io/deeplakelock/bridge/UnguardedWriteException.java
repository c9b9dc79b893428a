package io.deeplakelock.bridge;

/**
 * Thrown by a JDK file operation, under {@code audit.mode: fail}, when it would change (or, with
 * read locks, read) a file in a dataset directory while the current thread does not hold that
 * dataset's lock.
 *
 * <p>It is thrown before the operation: the file was not opened, created, deleted or renamed. The
 * message names the file, the operation, the dataset, its lock path and the code that asked.
 */
public class UnguardedWriteException extends DatasetLockException {

  private static final long serialVersionUID = 1L;

  private final String file;
  private final String dataset;

  /** Creates the exception for {@code file} in {@code dataset}, with the full explanation. */
  public UnguardedWriteException(String message, String file, String dataset) {
    super(message);
    this.file = file;
    this.dataset = dataset;
  }

  /** The file the refused operation was about, as a canonical path. */
  public String file() {
    return file;
  }

  /** The dataset directory the file belongs to, as a canonical path. */
  public String dataset() {
    return dataset;
  }
}
