package io.deeplakelock.matching.sample.deep.a.b;

import io.deeplakelock.matching.sample.Probe;

/** Two package levels below {@code deep}: matches {@code deep..*}. */
public class Leaf {

  public String save() {
    return Probe.held();
  }
}
