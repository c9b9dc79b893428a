package io.deeplakelock.matching.sample.subtype;

import io.deeplakelock.matching.sample.Probe;

/** A direct implementation of {@link Store}. */
public class FileStore implements Store {

  @Override
  public String put(String key) {
    return Probe.held();
  }

  @Override
  public String get(String key) {
    return Probe.held();
  }
}
