package io.deeplakelock.testapp.dataset;

/**
 * Thrown instead of writing when the dataset carries a fencing token newer than the writer's own.
 *
 * <p>The writer ran under a dataset write lock that it has since lost (its ZooKeeper session
 * expired, for instance during a long pause), and another process has taken the lock and stamped
 * the dataset since. The refused call has written nothing, so the stale writer's change never
 * lands. Unchecked, because the legacy API it belongs to declares no exceptions.
 */
public class StaleWriterException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final long storedToken;
  private final long writerToken;

  /** Creates the exception for the dataset at {@code path}. */
  public StaleWriterException(String path, long storedToken, long writerToken) {
    super(
        "refused to write dataset "
            + path
            + ": it is stamped with fencing token "
            + storedToken
            + ", newer than this writer's "
            + writerToken
            + ", so another process has taken the dataset's write lock since this writer's lock"
            + " was lost. Nothing was written.");
    this.storedToken = storedToken;
    this.writerToken = writerToken;
  }

  /** The token the dataset is stamped with. */
  public long storedToken() {
    return storedToken;
  }

  /** The refused writer's token. */
  public long writerToken() {
    return writerToken;
  }
}
