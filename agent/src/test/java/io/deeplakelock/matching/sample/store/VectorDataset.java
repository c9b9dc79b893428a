package io.deeplakelock.matching.sample.store;

import io.deeplakelock.matching.sample.Probe;

/** Matches {@code store.*Dataset}. */
public class VectorDataset {

  public String write(String row) {
    return Probe.held();
  }

  public String read() {
    return Probe.held();
  }
}
