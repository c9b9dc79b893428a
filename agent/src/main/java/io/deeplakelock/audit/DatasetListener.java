package io.deeplakelock.audit;

/** Told each dataset a guarded call locks, so the audit watches its directory from then on. */
public interface DatasetListener {

  void datasetLocked(String dataset);
}
