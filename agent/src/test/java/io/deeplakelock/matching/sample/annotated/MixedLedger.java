package io.deeplakelock.matching.sample.annotated;

import io.deeplakelock.matching.sample.Probe;

/** One annotated method: only that one is guarded. */
public class MixedLedger {

  @Guarded
  public String post() {
    return Probe.held();
  }

  public String peek() {
    return Probe.held();
  }
}
