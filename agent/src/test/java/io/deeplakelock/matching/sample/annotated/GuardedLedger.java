package io.deeplakelock.matching.sample.annotated;

import io.deeplakelock.matching.sample.Probe;

/** Annotated at class level: every method is guarded. */
@Guarded
public class GuardedLedger {

  public String post() {
    return Probe.held();
  }

  public String audit() {
    return Probe.held();
  }
}
