package com.acme.store;

/** A row of the example service. */
public final class Row {
  final String text;

  public Row(String text) {
    this.text = text;
  }
}
