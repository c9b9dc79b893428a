package io.deeplakelock.matching.sample.conflict;

import io.deeplakelock.matching.sample.Probe;

/** Matched by the glob {@code *Repo} and by {@code subtypesOf Saver}. */
public class OrderRepo implements Saver {

  /** Set when the body of {@link #save} runs: a refused call must not get this far. */
  public static volatile boolean saveBodyRan;

  @Override
  public String save() {
    saveBodyRan = true;
    return Probe.held();
  }

  public String load() {
    return Probe.held();
  }

  public String archive() {
    return Probe.held();
  }
}
