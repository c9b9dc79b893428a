package io.deeplakelock.lock;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Counters of one lock path in this JVM, for JMX and {@code status}. */
public final class LockCounters {

  final LongAdder acquisitions = new LongAdder();
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

  /** Locks taken (outermost calls; re-entries are not counted). */
  public long acquisitions() {
    return acquisitions.sum();
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
