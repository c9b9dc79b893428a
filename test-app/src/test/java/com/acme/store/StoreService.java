package com.acme.store;

import java.net.URI;
import java.util.Map;

/**
 * The example service's main: one call of each guarded (and one unguarded) operation, then one JSON
 * line mapping each operation to the lock path held while it ran.
 */
public final class StoreService {
  private StoreService() {}

  public static void main(String[] args) {
    String dataset = "s3://acme-ml/embeddings/";
    LocalDatasetStore store = new LocalDatasetStore(URI.create("file:///data/acme/compacted"));
    store.append(dataset, new Row("a"));
    store.updateRow(dataset, 0, new Row("b"));
    store.delete(dataset, 0);
    store.query(dataset, new Query("q"));
    store.query(dataset, "q");
    store.compact();
    StringBuilder json = new StringBuilder("{");
    for (Map.Entry<String, String> e : store.heldBy.entrySet()) {
      json.append(json.length() == 1 ? "" : ",")
          .append('"')
          .append(e.getKey())
          .append("\":\"")
          .append(e.getValue())
          .append('"');
    }
    System.out.println(json.append('}'));
    System.out.flush();
    System.exit(0);
  }
}
