package com.acme.store;

/** A query of the example service. */
public final class Query {
  final String text;

  public Query(String text) {
    this.text = text;
  }
}
