package io.deeplakelock.matching.sample.deep;

import io.deeplakelock.matching.sample.Probe;

/** Directly in {@code deep}: matches {@code deep..*}. */
public class Top {

  public String save() {
    return Probe.held();
  }
}
