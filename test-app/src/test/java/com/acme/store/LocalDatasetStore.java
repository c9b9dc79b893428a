package com.acme.store;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** An implementation of {@link DatasetStore} with a maintenance method of its own. */
public class LocalDatasetStore extends AbstractStore implements DatasetStore {
  private final URI datasetUri;

  public LocalDatasetStore(URI datasetUri) {
    this.datasetUri = datasetUri;
  }

  public URI getDatasetUri() {
    return datasetUri;
  }

  @Override
  public void append(String dataset, Row row) {
    record("append");
    rows.add(row);
  }

  @Override
  public void delete(String dataset, long id) {
    record("delete");
  }

  @Override
  public List<Row> query(String dataset, Query q) {
    record("query");
    return new ArrayList<>(rows);
  }

  @Override
  public List<Row> query(String dataset, String text) {
    record("query-text");
    return new ArrayList<>(rows);
  }

  public void updateRow(String dataset, long id, Row row) {
    record("updateRow");
  }

  @RewritesDataset
  public void compact() {
    record("compact");
  }
}
