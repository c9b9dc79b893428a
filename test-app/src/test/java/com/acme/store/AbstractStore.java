package com.acme.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A base class that an implementation extends, as a Spring service's often does. Records, per
 * guarded operation, the lock path the agent holds while it runs ({@code -} when none).
 */
public abstract class AbstractStore {
  final Map<String, String> heldBy = new TreeMap<>();
  final List<Row> rows = new ArrayList<>();

  /** The lock path the calling thread holds now, read through the agent's bridge. */
  void record(String operation) {
    String path = "-";
    try {
      Object info =
          Class.forName("io.deeplakelock.bridge.DatasetLocks").getMethod("current").invoke(null);
      if (info != null) {
        path = (String) info.getClass().getMethod("lockPath").invoke(info);
      }
    } catch (ReflectiveOperationException e) {
      path = "no agent";
    }
    heldBy.put(operation, path);
  }
}
