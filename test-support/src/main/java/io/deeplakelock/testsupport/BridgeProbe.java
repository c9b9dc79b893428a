package io.deeplakelock.testsupport;

/**
 * The tests' one probe of the agent's bridge: what {@code
 * io.deeplakelock.bridge.DatasetLocks.current()} says about the guarded call running on this
 * thread. The sample services of both modules call it from their guarded methods.
 *
 * <p>Reflective, as the README tells applications to read the bridge, so that the samples also run
 * without the agent; and this module cannot depend on the agent anyway. The bridge is on the
 * bootstrap class path, so this class's own loader finds it whichever loader runs the sample.
 */
public final class BridgeProbe {

  private static final String DATASET_LOCKS = "io.deeplakelock.bridge.DatasetLocks";

  private BridgeProbe() {}

  /** Whether this JVM runs under the agent: its bridge is loaded (it stays after a detach). */
  public static boolean agentLoaded() {
    try {
      Class.forName(DATASET_LOCKS);
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /**
   * The innermost dataset lock this thread holds (the bridge's {@code HeldLockInfo}); null when it
   * holds none or the JVM has no agent.
   *
   * @throws IllegalStateException if the bridge is there but cannot be read
   */
  public static Object current() {
    try {
      return Class.forName(DATASET_LOCKS).getMethod("current").invoke(null);
    } catch (ClassNotFoundException e) {
      return null;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read DatasetLocks.current(): " + e, e);
    }
  }

  /**
   * One property of the innermost held lock by its accessor's name ({@code mode}, {@code dataset},
   * {@code lockPath}, ...); null when no lock is held.
   *
   * @throws IllegalStateException if the bridge is there but cannot be read
   */
  public static Object held(String property) {
    Object info = current();
    if (info == null) {
      return null;
    }
    try {
      return info.getClass().getMethod(property).invoke(info);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read HeldLockInfo." + property + "(): " + e, e);
    }
  }
}
