package io.deeplakelock.lock;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Wait and hold times in power-of-two microsecond buckets: lock-free to record, and precise to a
 * factor of two, which is what an operator reading p50/p99 of lock waits needs.
 */
final class LatencyHistogram {

  private static final int BUCKETS = 40; // 2^39 us is about 6 days

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

  void record(long nanos) {
    long micros = Math.max(1, TimeUnit.NANOSECONDS.toMicros(nanos));
    int bucket = Math.min(BUCKETS - 1, 63 - Long.numberOfLeadingZeros(micros));
    counts.incrementAndGet(bucket);
  }

  /** The upper bound, in milliseconds, of the bucket holding quantile {@code q} (0 when empty). */
  double quantileMillis(double q) {
    long total = 0;
    long[] snapshot = new long[BUCKETS];
    for (int i = 0; i < BUCKETS; i++) {
      snapshot[i] = counts.get(i);
      total += snapshot[i];
    }
    if (total == 0) {
      return 0;
    }
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += snapshot[i];
      if (seen >= rank) {
        return (1L << (i + 1)) / 1000.0;
      }
    }
    return (1L << BUCKETS) / 1000.0;
  }
}
