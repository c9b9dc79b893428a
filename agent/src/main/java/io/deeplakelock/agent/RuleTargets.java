package io.deeplakelock.agent;

import io.deeplakelock.lock.DatasetLock;

/**
 * The last dataset lock each rule resolved, so that a rule called again for the same dataset skips
 * canonicalising the path and both map lookups: one comparison of the dataset text instead.
 *
 * <p>Indexed by rule id and grown on reload, like the rules; an entry is immutable and replaced
 * whole, so racing threads see either the old or the new pair, never a mix.
 */
final class RuleTargets {

  private static final class Entry {
    final String dataset;
    final DatasetLock lock;

    Entry(String dataset, DatasetLock lock) {
      this.dataset = dataset;
      this.lock = lock;
    }
  }

  private volatile Entry[] last = new Entry[0];

  /** The lock rule {@code id} resolved for {@code dataset} last time, or null. */
  DatasetLock get(int id, String dataset) {
    Entry[] entries = last;
    Entry e = id < entries.length ? entries[id] : null;
    if (e != null && (e.dataset == dataset || (e.dataset != null && e.dataset.equals(dataset)))) {
      return e.lock;
    }
    return null;
  }

  void put(int id, String dataset, DatasetLock lock) {
    Entry[] entries = last;
    if (id >= entries.length) {
      synchronized (this) {
        entries = last;
        if (id >= entries.length) {
          entries = java.util.Arrays.copyOf(entries, Math.max(id + 1, entries.length * 2));
          last = entries;
        }
      }
    }
    entries[id] = new Entry(dataset, lock);
  }
}
