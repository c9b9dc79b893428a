package io.deeplakelock.testapp.dataset;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The fencing token of the dataset write lock the current thread runs under, as the deeplake-lock
 * agent reports it: the creation zxid of the lock's ZooKeeper node, which grows with every new
 * holder.
 *
 * <p>The library must run, and compile, without the agent, so the agent's bridge class is looked up
 * by name, once: the agent puts it on the bootstrap class path, which every class loader sees.
 * Without the agent, outside guarded calls, under a read lock and under a lock taken for another
 * dataset, the token is 0 and {@link Dataset} does no fencing at all.
 */
final class WriterFence {
  static final String BRIDGE_CLASS = "io.deeplakelock.bridge.DatasetLocks";

  /**
   * Set to {@code off} to disable fencing even under the agent: only for the fault-injection
   * suite's comparison run, which shows what fencing prevents.
   */
  static final String SWITCH_PROPERTY = "deeplake.testapp.fencing";

  private static final Bridge BRIDGE =
      "off".equals(System.getProperty(SWITCH_PROPERTY)) ? null : Bridge.find();

  private WriterFence() {}

  /** The token of this thread's write lock on the dataset at {@code root}, or 0. */
  static long token(Path root) {
    return BRIDGE == null ? 0 : BRIDGE.token(root);
  }

  /** The reflective view of {@code DatasetLocks.current()} and the lock it returns. */
  private static final class Bridge {
    private final Method current;
    private final Method dataset;
    private final Method mode;
    private final Method token;

    private Bridge(Method current, Method dataset, Method mode, Method token) {
      this.current = current;
      this.dataset = dataset;
      this.mode = mode;
      this.token = token;
    }

    /** The bridge, or null when no agent (or an agent without the fencing API) is present. */
    static Bridge find() {
      try {
        Method current = Class.forName(BRIDGE_CLASS).getMethod("current");
        Class<?> info = current.getReturnType();
        return new Bridge(
            current, info.getMethod("dataset"), info.getMethod("mode"), info.getMethod("token"));
      } catch (ReflectiveOperationException | LinkageError e) {
        return null;
      }
    }

    long token(Path root) {
      try {
        Object lock = current.invoke(null);
        if (lock == null) {
          return 0;
        }
        Object lockMode = mode.invoke(lock);
        if (!(lockMode instanceof Enum) || !"WRITE".equals(((Enum<?>) lockMode).name())) {
          return 0;
        }
        Object lockedDataset = dataset.invoke(lock);
        // A rule with a fixed lock path reports no dataset: its lock then covers every dataset.
        if (lockedDataset != null && !sameDataset(lockedDataset.toString(), root)) {
          return 0;
        }
        return ((Number) token.invoke(lock)).longValue();
      } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
        // The bridge's accessors do not throw; an agent whose API changed fences nothing.
        return 0;
      }
    }

    /** Whether the dataset a rule evaluated names the directory {@code root}. */
    private static boolean sameDataset(String lockedDataset, Path root) {
      try {
        Path locked =
            lockedDataset.startsWith("file:")
                ? Paths.get(URI.create(lockedDataset))
                : Paths.get(lockedDataset);
        return locked.toAbsolutePath().normalize().equals(root.toAbsolutePath().normalize());
      } catch (RuntimeException e) {
        // Not a local path (a URL of some store): not this directory.
        return false;
      }
    }
  }
}
