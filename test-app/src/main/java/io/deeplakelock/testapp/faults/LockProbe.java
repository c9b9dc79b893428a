package io.deeplakelock.testapp.faults;

import java.lang.reflect.Method;

/**
 * The lock the current guarded call runs under, read from the agent's bridge by name, so that the
 * workload runs (and compiles) without the agent: the fencing token and the ZooKeeper session that
 * holds the lock, for the operation history.
 */
final class LockProbe {
  private static final String BRIDGE_CLASS = "io.deeplakelock.bridge.DatasetLocks";
  private static final Method[] ACCESSORS = find();

  /** The token and holding session of a lock. */
  static final class Lock {
    final long token;
    final long sessionId;

    Lock(long token, long sessionId) {
      this.token = token;
      this.sessionId = sessionId;
    }
  }

  private LockProbe() {}

  /** The innermost guarded call's lock, or null outside guarded calls or without the agent. */
  static Lock current() {
    if (ACCESSORS == null) {
      return null;
    }
    try {
      Object info = ACCESSORS[0].invoke(null);
      if (info == null) {
        return null;
      }
      return new Lock(
          ((Number) ACCESSORS[1].invoke(info)).longValue(),
          ((Number) ACCESSORS[2].invoke(info)).longValue());
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  private static Method[] find() {
    try {
      Method current = Class.forName(BRIDGE_CLASS).getMethod("current");
      Class<?> info = current.getReturnType();
      return new Method[] {current, info.getMethod("token"), info.getMethod("sessionId")};
    } catch (ReflectiveOperationException | LinkageError e) {
      return null;
    }
  }
}
