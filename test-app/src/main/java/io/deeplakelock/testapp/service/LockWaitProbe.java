package io.deeplakelock.testapp.service;

import java.lang.reflect.Method;
import java.util.concurrent.TimeUnit;

/**
 * Reads how long this JVM has waited for dataset locks from the agent's bridge, when an agent is
 * present.
 *
 * <p>The service is legacy code that must run, and compile, without the agent, so the bridge class
 * is looked up by name: the agent puts it on the bootstrap class path, which every class loader can
 * see.
 */
final class LockWaitProbe {
  static final String BRIDGE_CLASS = "io.deeplakelock.bridge.DatasetLocks";

  private LockWaitProbe() {}

  /** Total lock wait in milliseconds, or null when no agent (or an agent without the API) runs. */
  static Long totalWaitMillis() {
    try {
      Method method = Class.forName(BRIDGE_CLASS).getMethod("totalWaitNanos");
      Object nanos = method.invoke(null);
      return nanos instanceof Number
          ? TimeUnit.NANOSECONDS.toMillis(((Number) nanos).longValue())
          : null;
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      return null;
    }
  }
}
