package io.deeplakelock.testapp.bench;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.zip.DataFormatException;

/**
 * Latencies in nanoseconds, kept by HdrHistogram with two significant digits (buckets under 1%
 * wide; values below 256 exact): cheap enough to record every call of a cell, mergeable across
 * threads and JVMs, and sent over the worker protocol as one token (HdrHistogram's compressed
 * encoding in Base64).
 */
final class Histogram {

  private static final int SIGNIFICANT_DIGITS = 2;

  private final org.HdrHistogram.Histogram values;

  Histogram() {
    this(new org.HdrHistogram.Histogram(SIGNIFICANT_DIGITS));
  }

  private Histogram(org.HdrHistogram.Histogram values) {
    values.setAutoResize(true); // a decoded one is fixed-range; merging may need more
    this.values = values;
  }

  /** Records one value; negative values (which a monotonic clock never gives) count as 0. */
  void record(long nanos) {
    values.recordValue(Math.max(0, nanos));
  }

  long count() {
    return values.getTotalCount();
  }

  void add(Histogram other) {
    values.add(other.values);
  }

  /**
   * The nearest-rank {@code p}-th percentile (0 < p <= 100): the middle of the bucket that holds
   * the value ranked {@code ceil(p/100 * count)}; -1 when empty.
   */
  long percentile(double p) {
    if (values.getTotalCount() == 0) {
      return -1;
    }
    return values.medianEquivalentValue(values.getValueAtPercentile(p));
  }

  /** One token without spaces. */
  String encode() {
    ByteBuffer buffer = ByteBuffer.allocate(values.getNeededByteBufferCapacity());
    int length = values.encodeIntoCompressedByteBuffer(buffer);
    return Base64.getEncoder().encodeToString(Arrays.copyOf(buffer.array(), length));
  }

  static Histogram decode(String token) {
    try {
      return new Histogram(
          org.HdrHistogram.Histogram.decodeFromCompressedByteBuffer(
              ByteBuffer.wrap(Base64.getDecoder().decode(token)), 0));
    } catch (DataFormatException e) {
      throw new IllegalArgumentException("not an encoded histogram: " + token, e);
    }
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT, "n=%d p50=%d p99=%d", count(), percentile(50), percentile(99));
  }
}
