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

  /**
   * As above, for a rule whose expressions read one value of the call: {@code input} is that value
   * (the receiver or one argument), or null when they read none.
   */
  AutoCloseable enter(int ruleId, Class<?> origin, String method, Object input);

  /** The lock of the innermost guarded call on this thread, or null. */
  HeldLockInfo current();

  /** Nanoseconds that guarded calls in this JVM have spent waiting for locks so far. */
  long totalWaitNanos();
}
