package io.deeplakelock.testapp.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Nearest-rank percentiles of exact samples, and the median of a few runs' figures. */
final class Percentiles {

  private Percentiles() {}

  /**
   * The 1-based rank of the {@code p}-th percentile (0 < p <= 100) among {@code n} samples: {@code
   * ceil(p/100 * n)}, at least 1.
   */
  static long rank(double p, long n) {
    if (!(p > 0 && p <= 100) || n < 1) {
      throw new IllegalArgumentException("percentile " + p + " of " + n + " samples");
    }
    // The small tolerance keeps e.g. 0.99 * 100 from ranking 100 through rounding error.
    return Math.max(1, (long) Math.ceil(p / 100.0 * n - 1e-9));
  }

  /** The nearest-rank percentile of {@code sorted} (ascending); -1 when it is empty. */
  static long of(long[] sorted, double p) {
    return sorted.length == 0 ? -1 : sorted[(int) rank(p, sorted.length) - 1];
  }

  /**
   * The median of the non-NaN values (the mean of the middle two for an even count); NaN if none.
   */
  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>();
    for (double v : values) {
      if (!Double.isNaN(v)) {
        sorted.add(v);
      }
    }
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
