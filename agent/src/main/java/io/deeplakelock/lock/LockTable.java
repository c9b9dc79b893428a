package io.deeplakelock.lock;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The one owner of the way from a dataset (or a fixed lock path) to its {@link DatasetLock}: the
 * locks by path, and the dataset values seen, each with the lock its canonical path resolved to.
 * Bounded: once it holds more than {@code capacity} locks, locks that are idle and were not looked
 * up since the previous sweep are evicted.
 *
 * <p><b>Invariants</b> (tested by {@code LockTableIT}):
 *
 * <ul>
 *   <li><b>T1, one live lock per path.</b> {@link #byPath} maps a path to at most one lock that is
 *       not {@linkplain DatasetLock#retired() retired}, and only such a lock takes a new hold: a
 *       lock leaves the map only once retired, a new one is made only when the map has none, and a
 *       retired lock hands every call to the path's current lock ({@link DatasetLock#enter}). So
 *       two threads of this JVM never run under two lock objects of one path at once.
 *   <li><b>T2, only idle locks go.</b> A lock is retired only when, under its engine's lock, no
 *       call holds it or waits for it and this JVM has no node on its path in any phase (being
 *       created, waiting, held, shared, handed on, lingering or being removed): {@link
 *       DatasetLock#retireIfIdle}, {@link LockEngine#idle}. A dropped engine hears no connection
 *       event, so a node on its way out must not be left with it. A call that found the lock before
 *       and queues after finds it retired under that same lock, and goes to the current one.
 *   <li><b>T3, bounded.</b> After a sweep the table holds at most {@code capacity} locks plus the
 *       ones in use (and the one just made); a sweep runs whenever it grew by {@code capacity / 4}
 *       since the last one and holds more than {@code capacity}, so it never holds more than {@code
 *       capacity + capacity / 4} idle locks. The dataset memo is trimmed likewise. A sweep first
 *       evicts, down to three quarters of the capacity, the idle locks not looked up since the last
 *       sweep (a second chance, as in the CLOCK page-replacement scheme). Each lock costs 2-3 kB.
 * </ul>
 *
 * <p><b>Threads.</b> Look-ups run on the application's threads without a lock (two map reads at
 * most). The thread whose insertion crosses the threshold sweeps, one at a time ({@link #sweeping},
 * tried, never waited for). <b>Lock order:</b> {@link #sweeping}, then one engine's lock at a time;
 * nothing holding an engine's lock calls in here.
 */
final class LockTable {

  /** Locks kept while idle, per service: about 2.5 MB at 2-3 kB each. */
  static final int DEFAULT_CAPACITY = 1_024;

  private final int capacity;
  private final Function<String, DatasetLock> newLock;
  private final ConcurrentHashMap<String, DatasetLock> byPath = new ConcurrentHashMap<>();
  // Dataset value as evaluated -> its lock: canonicalising a path costs far more than a look-up.
  private final ConcurrentHashMap<String, DatasetLock> byDataset = new ConcurrentHashMap<>();
  private final ReentrantLock sweeping = new ReentrantLock();
  private volatile int nextSweepAt;
  private volatile Path memoDirectory; // the working directory the memo's relative datasets use

  LockTable(int capacity, Function<String, DatasetLock> newLock) {
    if (capacity < 4) {
      throw new IllegalArgumentException("capacity " + capacity + " < 4");
    }
    this.capacity = capacity;
    this.newLock = newLock;
    this.nextSweepAt = capacity;
  }

  /** The live lock of {@code path}, made if there is none. */
  DatasetLock lock(String path) {
    DatasetLock lock = byPath.get(path);
    if (lock != null && !lock.retired()) {
      if (!lock.used) {
        lock.used = true;
      }
      return lock;
    }
    return insert(path);
  }

  private DatasetLock insert(String path) {
    while (true) {
      DatasetLock lock = byPath.computeIfAbsent(path, newLock);
      if (!lock.retired()) {
        if (byPath.size() > nextSweepAt) {
          sweep(lock);
        }
        return lock;
      }
      byPath.remove(path, lock); // retired by a sweep that has not removed it yet
    }
  }

  /**
   * The live lock of {@code dataset}'s lock path under {@code root}; {@code onNew} is told each
   * dataset value the table had not seen (or had evicted).
   *
   * @throws IllegalArgumentException when the dataset is not a valid path
   */
  DatasetLock forDataset(
      String dataset, String root, Path workingDirectory, Consumer<String> onNew) {
    DatasetLock lock = byDataset.get(dataset);
    if (lock != null && !lock.retired() && workingDirectory == memoDirectory) {
      if (!lock.used) {
        lock.used = true;
      }
      return lock;
    }
    return resolve(dataset, root, workingDirectory, onNew);
  }

  private DatasetLock resolve(
      String dataset, String root, Path workingDirectory, Consumer<String> onNew) {
    DatasetLock lock = lock(LockPath.forDataset(root, dataset, workingDirectory));
    if (memoDirectory == null) {
      memoDirectory = workingDirectory;
    }
    if (workingDirectory == memoDirectory) {
      // Another directory (only in tests) resolves the same text elsewhere: never memoised.
      if (byDataset.put(dataset, lock) == null && byDataset.size() > nextSweepAt) {
        sweep(lock);
      }
    }
    onNew.accept(dataset);
    return lock;
  }

  /** Every live lock, by path (a view). */
  Map<String, DatasetLock> locks() {
    return Collections.unmodifiableMap(byPath);
  }

  /** The live locks (a view). */
  Collection<DatasetLock> values() {
    return byPath.values();
  }

  /**
   * Evicts idle locks: first those not looked up since the last sweep, down to three quarters of
   * the capacity (clearing the marks of the others: their second chance); then, if the table still
   * holds more than its capacity, idle ones whatever their mark. Never {@code keep}, the lock its
   * caller is about to return.
   */
  private void sweep(DatasetLock keep) {
    if (!sweeping.tryLock()) {
      return; // another thread sweeps now
    }
    try {
      evict(capacity - capacity / 4, keep, true);
      evict(capacity, keep, false);
      trimMemo(capacity - capacity / 4, keep);
      nextSweepAt = Math.max(capacity, Math.max(byPath.size(), byDataset.size()) + capacity / 4);
    } finally {
      sweeping.unlock();
    }
  }

  private void evict(int target, DatasetLock keep, boolean secondChance) {
    Iterator<DatasetLock> it = byPath.values().iterator();
    while (byPath.size() > target && it.hasNext()) {
      DatasetLock lock = it.next();
      if (lock == keep) {
        continue;
      }
      if (secondChance && lock.used) {
        lock.used = false;
      } else if (lock.retireIfIdle()) {
        byPath.remove(lock.path(), lock);
      }
    }
  }

  /** Drops memo entries of retired locks, then any others beyond {@code target}: a memo only. */
  private void trimMemo(int target, DatasetLock keep) {
    // Loops, not lambdas: a sweep may run on a virtual thread, and the first use of a lambda
    // defines a class, which pins the carrier (see AgentClasses).
    for (Iterator<DatasetLock> it = byDataset.values().iterator(); it.hasNext(); ) {
      if (it.next().retired()) {
        it.remove();
      }
    }
    Iterator<DatasetLock> it = byDataset.values().iterator();
    while (byDataset.size() > target && it.hasNext()) {
      if (it.next() != keep) {
        it.remove();
      }
    }
  }

  /** How many locks the table holds now, retired ones not yet removed included. */
  int size() {
    return byPath.size();
  }
}
