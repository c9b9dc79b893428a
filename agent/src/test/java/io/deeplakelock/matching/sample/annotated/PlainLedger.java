package io.deeplakelock.matching.sample.annotated;

import io.deeplakelock.matching.sample.Probe;

/** No annotation anywhere: not guarded. */
public class PlainLedger {

  public String post() {
    return Probe.held();
  }
}
