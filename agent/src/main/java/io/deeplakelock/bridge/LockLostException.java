package io.deeplakelock.bridge;

/**
 * Thrown to the caller after a guarded body ran, when the dataset lock it ran under was lost on the
 * way (the ZooKeeper session expired, or the lock node was deleted).
 *
 * <p>The body's effects have happened, but another process may have held the same lock at the same
 * time: the caller should treat the write as possibly overlapping another writer. With rule policy
 * {@code onLockLost: log} the agent only logs and counts instead of throwing.
 */
public class LockLostException extends DatasetLockException {

  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message naming the dataset, lock path and what was lost. */
  public LockLostException(String message) {
    super(message);
  }
}
