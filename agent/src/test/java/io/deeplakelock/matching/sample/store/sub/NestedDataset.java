package io.deeplakelock.matching.sample.store.sub;

import io.deeplakelock.matching.sample.Probe;

/** One package level below {@code store}: {@code store.*Dataset} must not reach it. */
public class NestedDataset {

  public String write(String row) {
    return Probe.held();
  }
}
