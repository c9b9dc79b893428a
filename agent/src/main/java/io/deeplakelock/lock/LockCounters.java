package io.deeplakelock.lock;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one lock path in this JVM, for JMX and {@code status}.
 *
 * <p><b>Acquisitions without an atomic per read join.</b> A call that joins this JVM's read share
 * on the fast path is counted in the share itself, by the one increment that counts it in (S4 of
 * {@link ReadShare}); every other acquisition in {@link #acquisitions}. <b>C1:</b> {@link
 * #acquisitions()} is that adder plus the joins of every share this lock's calls joined: a share is
 * added to {@link #shares} by the first join that finds it new (before that join's call runs), and
 * leaves it only when its count is final ({@link ReadShare#joinsIfFinal}), folded into the adder
 * under the same monitor that {@link #acquisitions()} reads both under. So the count is exact
 * whenever no call of the lock is entering or leaving, and otherwise off by at most the calls
 * entering (and, once per 2<sup>32</sup> joins of a slot, by one wrap while it is counted). A share
 * stays listed until a join lists a newer one, a call under it ends after it closed, or a read of
 * the count finds it final: an idle lock may keep its last share's counts (one padded array of
 * {@code ReadShare.stripesFor(cores)} slots) until then.
 *
 * <p><b>Threads.</b> Application threads list and fold shares, and {@code status} or JMX threads
 * read the count, all under the monitor of {@link #shares}; {@link #lastShare} is written under it
 * and read without it.
 */
public final class LockCounters {

  final LongAdder acquisitions = new LongAdder();

  /** Shares whose joins are not folded into {@link #acquisitions} yet; guarded by itself. */
  private final List<ReadShare> shares = new ArrayList<>(2);

  /**
   * The share a join last added to {@link #shares}: read without synchronisation by each join, so
   * that only the first join of a share takes the monitor (a stale read just takes it again).
   */
  private ReadShare lastShare;

  final LongAdder nodes = new LongAdder();
  final LongAdder reused = new LongAdder();
  final LongAdder passes = new LongAdder();
  final LongAdder contendedPasses = new LongAdder();
  final LongAdder waited = new LongAdder();
  final LongAdder timeouts = new LongAdder();
  final LongAdder lost = new LongAdder();
  final AtomicLong lastToken = new AtomicLong();
  final LatencyHistogram waitTimes = new LatencyHistogram();
  final LatencyHistogram holdTimes = new LatencyHistogram();
  final LongAdder observed = new LongAdder();
  final LongAdder wouldWait = new LongAdder();
  final LongAdder shadowed = new LongAdder();
  volatile String lastBlocker = "";

  /** Locks taken (outermost calls; re-entries are not counted): exact while no call enters (C1). */
  public long acquisitions() {
    synchronized (shares) {
      foldFinal();
      long sum = acquisitions.sum();
      for (ReadShare s : shares) {
        sum += s.joins();
      }
      return sum;
    }
  }

  /**
   * A call joined {@code share} on the fast path, which counted it there (C1): lists the share if
   * it is new. Allocation-free and without a write once the share is listed.
   */
  void joined(ReadShare share) {
    if (share != lastShare) {
      listShare(share);
    }
  }

  private void listShare(ReadShare share) {
    synchronized (shares) {
      if (!shares.contains(share)) {
        shares.add(share);
      }
      lastShare = share;
      foldFinal();
    }
  }

  /** A call under a closed share ended: folds the share if that was its last reader. */
  void leftClosedShare() {
    synchronized (shares) {
      foldFinal();
    }
  }

  /** Folds the shares whose joins are final into {@link #acquisitions}; holds the monitor. */
  private void foldFinal() {
    for (int i = shares.size() - 1; i >= 0; i--) {
      ReadShare s = shares.get(i);
      long joins = s.joinsIfFinal();
      if (joins >= 0) {
        acquisitions.add(joins);
        shares.remove(i);
        if (lastShare == s) {
          lastShare = null;
        }
      }
    }
  }

  /** ZooKeeper lock nodes this JVM created on the path: each is two writes (create, delete). */
  public long nodes() {
    return nodes.sum();
  }

  /** Write nodes taken over from an earlier local writer (handed on, or lingering). */
  public long reused() {
    return reused.sum();
  }

  /** Write nodes handed straight to the next local writer. */
  public long passes() {
    return passes.sum();
  }

  /** Hand-offs to local writers while another contender waited behind the node. */
  public long contendedPasses() {
    return contendedPasses.sum();
  }

  /** Acquisitions that had to queue behind another holder. */
  public long waited() {
    return waited.sum();
  }

  public long timeouts() {
    return timeouts.sum();
  }

  public long lost() {
    return lost.sum();
  }

  /** The fencing token of the most recent acquisition, or 0. */
  public long lastToken() {
    return lastToken.get();
  }

  /** Calls seen in observe mode. */
  public long observed() {
    return observed.sum();
  }

  /** Observed calls that found a conflicting contender queued: they would have waited. */
  public long wouldWait() {
    return wouldWait.sum();
  }

  /** The node an observed call would most recently have waited for. */
  public String lastBlocker() {
    return lastBlocker;
  }

  /** Calls seen in shadow mode: what would have been locked. */
  public long shadowed() {
    return shadowed.sum();
  }

  public double waitMillis(double quantile) {
    return waitTimes.quantileMillis(quantile);
  }

  public double holdMillis(double quantile) {
    return holdTimes.quantileMillis(quantile);
  }
}
