package io.deeplakelock.matching.sample.statics;

import io.deeplakelock.matching.sample.Probe;

/** Static factory methods whose dataset is their first argument. */
public final class Datasets {

  private Datasets() {}

  public static String create(String path) {
    return Probe.held();
  }

  public static String create(String path, int shards) {
    return Probe.held();
  }
}
