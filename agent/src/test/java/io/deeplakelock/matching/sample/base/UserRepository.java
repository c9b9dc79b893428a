package io.deeplakelock.matching.sample.base;

import io.deeplakelock.matching.sample.Probe;

/** Implements {@link BaseRepository#remove} and inherits {@link BaseRepository#flush}. */
public class UserRepository extends BaseRepository {

  @Override
  public String remove(String id) {
    return Probe.held();
  }
}
