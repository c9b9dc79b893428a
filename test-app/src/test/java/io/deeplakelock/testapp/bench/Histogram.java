package io.deeplakelock.testapp.bench;

import java.util.Locale;

/**
 * Latencies in nanoseconds, in log-linear buckets about 1.6% wide (HdrHistogram's layout, 64
 * sub-buckets per power of two; values below 64 are exact): cheap enough to record every call of a
 * cell, mergeable across threads and JVMs, and sent over the worker protocol as one token.
 */
final class Histogram {

  private static final int SUB_BITS = 6;
  private static final int SUB = 1 << SUB_BITS;

  /** Enough buckets for every non-negative long. */
  private static final int BUCKETS = (Long.SIZE - SUB_BITS) * SUB;

  private final long[] counts = new long[BUCKETS];
  private long total;

  /** Records one value; negative values (which a monotonic clock never gives) count as 0. */
  void record(long nanos) {
    counts[bucket(Math.max(0, nanos))]++;
    total++;
  }

  long count() {
    return total;
  }

  void add(Histogram other) {
    for (int i = 0; i < BUCKETS; i++) {
      counts[i] += other.counts[i];
    }
    total += other.total;
  }

  /**
   * The nearest-rank {@code p}-th percentile (0 < p <= 100): the middle of the bucket that holds
   * the value ranked {@code ceil(p/100 * count)}; -1 when empty.
   */
  long percentile(double p) {
    if (total == 0) {
      return -1;
    }
    long rank = Percentiles.rank(p, total);
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return middle(i);
      }
    }
    throw new IllegalStateException("counts do not add up to " + total);
  }

  /** {@code -} when empty, else {@code bucket:count} pairs joined by commas. */
  String encode() {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < BUCKETS; i++) {
      if (counts[i] != 0) {
        out.append(out.length() == 0 ? "" : ",").append(i).append(':').append(counts[i]);
      }
    }
    return out.length() == 0 ? "-" : out.toString();
  }

  static Histogram decode(String text) {
    Histogram h = new Histogram();
    if (!text.equals("-")) {
      for (String pair : text.split(",")) {
        int colon = pair.indexOf(':');
        long n = Long.parseLong(pair.substring(colon + 1));
        h.counts[Integer.parseInt(pair.substring(0, colon))] += n;
        h.total += n;
      }
    }
    return h;
  }

  static int bucket(long value) {
    if (value < SUB) {
      return (int) value;
    }
    int exponent = 63 - Long.numberOfLeadingZeros(value); // >= SUB_BITS
    int group = exponent - SUB_BITS + 1;
    return group * SUB + (int) ((value >>> (group - 1)) - SUB);
  }

  /** The smallest value of bucket {@code i}. */
  static long lowest(int i) {
    int group = i / SUB;
    return group == 0 ? i : (long) (SUB + i % SUB) << (group - 1);
  }

  /** The middle of bucket {@code i}, its representative value. */
  static long middle(int i) {
    int group = i / SUB;
    long width = group == 0 ? 1 : 1L << (group - 1);
    return lowest(i) + (width - 1) / 2;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "n=%d p50=%d p99=%d", total, percentile(50), percentile(99));
  }
}
