package io.deeplakelock.matching.sample.later;

import io.deeplakelock.matching.sample.Probe;

/** Loaded by name only after the rest of the sample has run. */
public class LateLoaded {

  public String run() {
    return Probe.held();
  }
}
