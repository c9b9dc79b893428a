package com.acme.store;

import java.util.List;

/**
 * The interface of {@code config/spring-style-service.yaml}'s example service, whose rules guard
 * every implementation by {@code subtypesOf}.
 */
public interface DatasetStore {
  void append(String dataset, Row row);

  void delete(String dataset, long id);

  List<Row> query(String dataset, Query q);

  /** An overload the file's {@code query(java.lang.String,com.acme.store.Query)} leaves out. */
  List<Row> query(String dataset, String text);
}
