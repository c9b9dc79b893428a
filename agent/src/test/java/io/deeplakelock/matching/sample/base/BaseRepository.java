package io.deeplakelock.matching.sample.base;

import io.deeplakelock.matching.sample.Probe;

/** The abstract class a {@code subtypesOf} rule names. */
public abstract class BaseRepository {

  /** Abstract: never instrumented; its implementations are. */
  public abstract String remove(String id);

  /** Concrete and inherited by every subclass: guarded where it is declared. */
  public String flush() {
    return Probe.held();
  }
}
