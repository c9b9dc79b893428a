package io.deeplakelock.testapp.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * How long this JVM's JIT compiler threads have spent compiling, for the benchmark's check that a
 * measured window runs compiled code: a window in which the compiler is still busy measures the JIT
 * as much as the lock, and the variant with more code to compile (the agent's lock engine beside
 * Curator's few classes) pays for it in the figures.
 */
final class JitTime {

  /**
   * A warm-up round is quiet when the compiler was busy less than this share of the round's wall
   * time in each of the group's JVMs (1%: a few small methods, no more).
   */
  static final double QUIET_SHARE = 0.01;

  private JitTime() {}

  /**
   * Milliseconds of compilation so far, or -1 when this JVM does not count them. HotSpot counts the
   * elapsed time of each compilation, waits for a core included: on a loaded machine the figure
   * says how long compilations were under way, which overstates the compiler's CPU.
   */
  static long millis() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported()
        ? jit.getTotalCompilationTime()
        : -1;
  }

  /**
   * The busiest JVM's compiler share of a window: the most milliseconds of compilation any of the
   * JVMs made in it, over the window's length; NaN when a JVM did not count them.
   */
  static double busiestShare(long[] jitMillisPerJvm, long windowNanos) {
    long most = -1;
    for (long ms : jitMillisPerJvm) {
      if (ms < 0) {
        return Double.NaN;
      }
      most = Math.max(most, ms);
    }
    return most < 0 || windowNanos <= 0 ? Double.NaN : most * 1e6 / windowNanos;
  }

  /** Whether a window whose busiest compiler had this share was quiet (NaN: unknown, not quiet). */
  static boolean quiet(double busiestShare) {
    return busiestShare < QUIET_SHARE;
  }
}
