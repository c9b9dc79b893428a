package io.deeplakelock.testapp.service;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.management.JMException;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;

/**
 * Reads how long this JVM has waited for dataset locks, and the lock the current call runs under,
 * from the agent's bridge, when an agent is present.
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

  /**
   * The lock of the innermost guarded call on this thread as {@code lockPath}, {@code mode}, {@code
   * token} and {@code text}; null outside guarded calls or when no agent runs.
   */
  static Map<String, Object> currentLock() {
    try {
      Object info = Class.forName(BRIDGE_CLASS).getMethod("current").invoke(null);
      if (info == null) {
        return null;
      }
      Map<String, Object> lock = new LinkedHashMap<>();
      for (String property : new String[] {"lockPath", "mode", "token"}) {
        Object value = info.getClass().getMethod(property).invoke(info);
        lock.put(property, value instanceof Number ? value : String.valueOf(value));
      }
      lock.put("text", info.toString());
      return lock;
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      return null;
    }
  }

  /**
   * The agent's observe-mode counters summed over its locks, as {@code observed} and {@code
   * wouldWait}, read from its JMX bean; null when no agent (or no bean yet) is there.
   */
  static Map<String, Object> observeCounts() {
    try {
      Object locks =
          ManagementFactory.getPlatformMBeanServer()
              .getAttribute(new ObjectName("deeplake.lock:type=Agent"), "Locks");
      long observed = 0;
      long wouldWait = 0;
      for (CompositeData lock : (CompositeData[]) locks) {
        observed += ((Number) lock.get("observed")).longValue();
        wouldWait += ((Number) lock.get("wouldWait")).longValue();
      }
      Map<String, Object> counts = new LinkedHashMap<>();
      counts.put("observed", observed);
      counts.put("wouldWait", wouldWait);
      return counts;
    } catch (JMException | LinkageError | RuntimeException e) {
      return null;
    }
  }
}
