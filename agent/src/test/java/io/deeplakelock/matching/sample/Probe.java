package io.deeplakelock.matching.sample;

import io.deeplakelock.testsupport.BridgeProbe;

/**
 * What a sample method reports about the lock it runs under: {@code WRITE /ds/x}, {@code READ
 * /ds/x}, or {@code unlocked} (also without the agent), in the form the matching ITs compare.
 */
public final class Probe {

  private Probe() {}

  /** The innermost dataset lock held by this thread, as {@code MODE dataset}. */
  public static String held() {
    Object mode = BridgeProbe.held("mode");
    return mode == null ? "unlocked" : mode + " " + BridgeProbe.held("dataset");
  }
}
