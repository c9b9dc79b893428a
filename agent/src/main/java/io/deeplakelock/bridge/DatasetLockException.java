package io.deeplakelock.bridge;

/**
 * Thrown to the caller of a guarded method when its dataset lock cannot be taken or kept.
 *
 * <p>When it is thrown on entry, the guarded method's body has not run: the call had no effect on
 * the dataset. The message names the dataset, the lock path, the lock mode and the rule.
 */
public class DatasetLockException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that says what was refused and why. */
  public DatasetLockException(String message) {
    super(message);
  }

  /** Creates the exception with a message and the underlying cause. */
  public DatasetLockException(String message, Throwable cause) {
    super(message, cause);
  }
}
