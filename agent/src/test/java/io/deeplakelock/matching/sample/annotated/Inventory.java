package io.deeplakelock.matching.sample.annotated;

import io.deeplakelock.matching.sample.Probe;

/** A {@code class} rule names {@code add} and {@code list} but only wants the {@link Mutating}. */
public class Inventory {

  @Mutating
  public String add(String item) {
    return Probe.held();
  }

  public String list() {
    return Probe.held();
  }

  @Mutating
  public String drop(String item) {
    return Probe.held();
  }
}
