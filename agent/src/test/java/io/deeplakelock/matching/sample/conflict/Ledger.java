package io.deeplakelock.matching.sample.conflict;

import io.deeplakelock.matching.sample.Probe;

/** Named exactly by two rules that want different locks on {@link #post}. */
public class Ledger {

  public String post() {
    return Probe.held();
  }

  public String peek() {
    return Probe.held();
  }
}
