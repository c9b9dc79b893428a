package io.deeplakelock.lock;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Counters of one lock path in this JVM, for JMX and {@code status}. */
public final class LockStats {

  final LongAdder acquisitions = new LongAdder();
  final LongAdder waited = new LongAdder();
  final LongAdder timeouts = new LongAdder();
  final LongAdder lost = new LongAdder();
  final AtomicLong lastToken = new AtomicLong();
  final LatencyHistogram waitTimes = new LatencyHistogram();
  final LatencyHistogram holdTimes = new LatencyHistogram();

  /** Locks taken (outermost calls; re-entries are not counted). */
  public long acquisitions() {
    return acquisitions.sum();
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

  public double waitMillis(double quantile) {
    return waitTimes.quantileMillis(quantile);
  }

  public double holdMillis(double quantile) {
    return holdTimes.quantileMillis(quantile);
  }
}
