package com.acme.store;

import io.deeplakelock.testsupport.BridgeProbe;
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
    String path;
    if (!BridgeProbe.agentLoaded()) {
      path = "no agent";
    } else {
      Object lockPath = BridgeProbe.held("lockPath");
      path = lockPath == null ? "-" : (String) lockPath;
    }
    heldBy.put(operation, path);
  }
}
