package io.deeplakelock.matching.sample.deeper;

import io.deeplakelock.matching.sample.Probe;

/** In {@code deeper}, whose name only starts like {@code deep}: not matched by {@code deep..*}. */
public class Neighbour {

  public String save() {
    return Probe.held();
  }
}
