package io.deeplakelock.matching.sample.subtype;

import io.deeplakelock.matching.sample.Probe;

/** Has a {@code put} like a {@link Store}, but is not one. */
public class NotAStore {

  public String put(String key) {
    return Probe.held();
  }
}
