package io.deeplakelock.testapp.bench;

/**
 * Asks the agent's bridge which lock the current guarded call holds, reflectively so the workload
 * also runs without the agent. Used once per worker at start-up, to refuse to measure an agent run
 * that guards nothing.
 */
final class BridgeLockMode {

  private BridgeLockMode() {}

  /** {@code READ} or {@code WRITE} inside a guarded call under the agent, else {@code unlocked}. */
  static String currentLock() {
    try {
      Object info =
          Class.forName("io.deeplakelock.bridge.DatasetLocks").getMethod("current").invoke(null);
      return info == null
          ? "unlocked"
          : String.valueOf(info.getClass().getMethod("mode").invoke(info));
    } catch (ClassNotFoundException e) {
      return "unlocked";
    } catch (ReflectiveOperationException e) {
      return "probe failed: " + e;
    }
  }
}
