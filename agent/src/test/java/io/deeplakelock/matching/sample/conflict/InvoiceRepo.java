package io.deeplakelock.matching.sample.conflict;

import io.deeplakelock.matching.sample.Probe;

/** Matched by the glob {@code *Repo} only: its {@code save} has one lock. */
public class InvoiceRepo {

  public String save() {
    return Probe.held();
  }
}
