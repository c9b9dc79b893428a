package io.deeplakelock.bridge;

/**
 * Thrown when a dataset lock was not granted within the rule's timeout (including while ZooKeeper
 * was unreachable); the guarded body has not run.
 */
public class LockTimeoutException extends DatasetLockException {

  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message naming the dataset, lock path, mode and wait. */
  public LockTimeoutException(String message) {
    super(message);
  }
}
