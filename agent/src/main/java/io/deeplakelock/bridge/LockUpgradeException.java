package io.deeplakelock.bridge;

/**
 * Thrown when a thread that holds only the read lock of a dataset asks for its write lock.
 *
 * <p>Such an upgrade can never be granted (the thread's own read node would block it forever), so
 * it fails at once instead of waiting for the timeout; the guarded body has not run.
 */
public class LockUpgradeException extends DatasetLockException {

  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message naming the dataset and both rules. */
  public LockUpgradeException(String message) {
    super(message);
  }
}
