package io.deeplakelock.testapp.bench;

import io.deeplakelock.testsupport.BridgeProbe;

/**
 * Asks the agent's bridge which lock the current guarded call holds, reflectively so the workload
 * also runs without the agent. Used once per worker at start-up, to refuse to measure an agent run
 * that guards nothing.
 */
final class BridgeLockMode {

  private BridgeLockMode() {}

  /** {@code READ} or {@code WRITE} inside a guarded call under the agent, else {@code unlocked}. */
  static String currentLock() {
    Object mode = BridgeProbe.held("mode");
    return mode == null ? "unlocked" : mode.toString();
  }
}
