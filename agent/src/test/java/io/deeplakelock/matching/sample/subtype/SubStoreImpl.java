package io.deeplakelock.matching.sample.subtype;

import io.deeplakelock.matching.sample.Probe;

/** Implements {@link Store} only through {@link SubStore}. */
public class SubStoreImpl implements SubStore {

  @Override
  public String put(String key) {
    return Probe.held();
  }

  @Override
  public String get(String key) {
    return Probe.held();
  }

  @Override
  public String size() {
    return Probe.held();
  }
}
