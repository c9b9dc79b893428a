package io.deeplakelock.matching.sample.store;

import io.deeplakelock.matching.sample.Probe;

/** In the glob's package, but its name does not end in {@code Dataset}. */
public class DatasetIndex {

  public String write(String row) {
    return Probe.held();
  }
}
