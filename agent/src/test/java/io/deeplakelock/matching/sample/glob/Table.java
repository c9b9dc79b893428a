package io.deeplakelock.matching.sample.glob;

import io.deeplakelock.matching.sample.Probe;

/** Method names for the glob {@code delete*}. */
public class Table {

  public String delete() {
    return Probe.held();
  }

  public String deleteRow(long id) {
    return Probe.held();
  }

  public String deleteAll() {
    return Probe.held();
  }

  public String undelete(long id) {
    return Probe.held();
  }

  public String isDeleted(long id) {
    return Probe.held();
  }
}
