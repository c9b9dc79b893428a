package io.deeplakelock.testapp.bench;

import java.time.Duration;
import java.util.List;

/**
 * The CPU time processes have used, as the operating system counts it (all their threads: the
 * workload, the lock client, JIT and GC), for the benchmark's CPU-per-call figures. On Linux the
 * count has the kernel's clock-tick resolution (10 ms), small beside a measured window of seconds.
 */
final class CpuTime {

  private CpuTime() {}

  /** The CPU time of {@code processes} together, in nanoseconds; -1 if any is unknown. */
  static long of(List<Process> processes) {
    long sum = 0;
    for (Process p : processes) {
      long nanos = p.info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
      if (nanos < 0) {
        return -1;
      }
      sum += nanos;
    }
    return sum;
  }

  /**
   * CPU nanoseconds per call between two readings, or NaN when a reading or the calls are missing.
   */
  static double perCall(long before, long after, long calls) {
    return before < 0 || after < 0 || calls == 0 ? Double.NaN : (double) (after - before) / calls;
  }
}
