package io.deeplakelock.testapp.dataset;

/**
 * Thrown when the files of a dataset do not fit together: a chunk shorter than the meta says, a
 * torn or unparseable file, an embedding of the wrong length.
 *
 * <p>Unlocked concurrent writers produce exactly these states, so reads report them instead of
 * returning garbage. Unchecked, because the legacy API it belongs to declares no exceptions.
 */
public class CorruptDatasetException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message naming the file and what is wrong with it. */
  public CorruptDatasetException(String message) {
    super(message);
  }

  /** Creates the exception for a file that could not be read as a whole. */
  public CorruptDatasetException(String message, Throwable cause) {
    super(message, cause);
  }
}
