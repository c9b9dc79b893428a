package io.deeplakelock.bridge;

/**
 * Read-only facts about the dataset locks of this JVM, for application code that wants them.
 *
 * <p>Applications must not depend on the agent being present: look this class up reflectively, or
 * catch {@link NoClassDefFoundError}. Every method answers sensibly when the agent is not running.
 */
public final class DatasetLocks {

  private DatasetLocks() {}

  /**
   * The lock of the innermost guarded call running on this thread, or null outside guarded calls
   * (or without the agent).
   */
  public static HeldLockInfo current() {
    LockHandler handler = LockBridge.handler();
    return handler == null ? null : handler.current();
  }

  /** Nanoseconds that guarded calls in this JVM have spent waiting for locks; 0 without agent. */
  public static long totalWaitNanos() {
    LockHandler handler = LockBridge.handler();
    return handler == null ? 0L : handler.totalWaitNanos();
  }
}
