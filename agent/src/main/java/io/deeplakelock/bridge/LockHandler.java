package io.deeplakelock.bridge;

/** What the agent plugs into {@link LockBridge}: turns a guarded call into a held lock. */
public interface LockHandler {

  /**
   * Takes the lock that rule {@code ruleId} asks for on the dataset found in {@code self} or {@code
   * args}.
   *
   * @return the held lock, released exactly once by {@link AutoCloseable#close()}, or {@code null}
   *     when the rule lets the call run unlocked
   * @throws DatasetLockException when the lock cannot be taken
   */
  AutoCloseable enter(int ruleId, Class<?> origin, String method, Object self, Object[] args);

  /** The lock of the innermost guarded call on this thread, or null. */
  HeldLockInfo current();

  /** Nanoseconds that guarded calls in this JVM have spent waiting for locks so far. */
  long totalWaitNanos();
}
