package io.deeplakelock.testapp.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The "legacy service" of the lock benchmark: {@link #read} and {@link #write} do a fixed amount of
 * CPU work on one dataset's in-memory data and are what the agent's rules (and the hand-written
 * Curator locking) guard. The work depends on the dataset's data and its result is returned, so the
 * JIT cannot drop it.
 *
 * <p>Each body records when it started and ended, for the harness: the first statement stands for
 * the first instruction after the lock is taken, the last for the last one before it is released.
 * One instance per thread (the timestamps are plain fields); the data is shared by all threads of
 * the JVM.
 */
public final class LockBenchApp {

  /** Longs of data per dataset; a power of two. */
  private static final int WORDS = 64;

  /** Where calibration leaves its results, so the JIT must compute them. */
  private static volatile long blackhole;

  private final Map<String, long[]> data;
  private final int iterations;

  /** {@link System#nanoTime()} at the first and last statement of the latest body. */
  long bodyStart;

  long bodyEnd;

  /** When set, bodies also note the lock they run under, from the agent's bridge. */
  boolean probe;

  String probedLock = "unlocked";

  /** One app per thread over {@code data} (see {@link #newData}); {@code iterations} of work. */
  LockBenchApp(Map<String, long[]> data, int iterations) {
    this.data = data;
    this.iterations = iterations;
  }

  /** Data for these datasets, seeded from their names so each dataset's work differs. */
  static Map<String, long[]> newData(Iterable<String> datasets) {
    Map<String, long[]> data = new HashMap<>();
    for (String dataset : datasets) {
      long[] words = new long[WORDS];
      long seed = dataset.hashCode();
      for (int i = 0; i < WORDS; i++) {
        seed = mix(seed + i);
        words[i] = seed;
      }
      data.put(dataset, words);
    }
    return data;
  }

  /** Reads the dataset: a hash over its data. */
  public long read(String dataset) {
    bodyStart = System.nanoTime();
    if (probe) {
      probedLock = BridgeLockMode.currentLock();
    }
    long hash = hash(data.get(dataset), iterations);
    bodyEnd = System.nanoTime();
    return hash;
  }

  /** Writes the dataset: the same hash, then stirred into every word. */
  public long write(String dataset) {
    bodyStart = System.nanoTime();
    if (probe) {
      probedLock = BridgeLockMode.currentLock();
    }
    long[] words = data.get(dataset);
    long hash = hash(words, iterations);
    for (int i = 0; i < WORDS; i++) {
      words[i] ^= hash + i;
    }
    bodyEnd = System.nanoTime();
    return hash;
  }

  private static long hash(long[] words, int iterations) {
    long h = words.length;
    for (int i = 0; i < iterations; i++) {
      h = mix(h + words[i & (WORDS - 1)]);
    }
    return h;
  }

  /** SplitMix64's finaliser: a dependent chain of a few cycles the CPU cannot overlap. */
  private static long mix(long x) {
    x = (x ^ (x >>> 30)) * 0xbf58476d1ce4e5b9L;
    x = (x ^ (x >>> 27)) * 0x94d049bb133111ebL;
    return x ^ (x >>> 31);
  }

  /**
   * How many iterations take about {@code targetNanos} of CPU in a {@link #read} on this machine,
   * measured in the calling JVM after the JIT has compiled the loop. CPU time of the thread, not
   * wall time, so other processes on the machine do not shrink the work. The coordinator calibrates
   * once and gives every worker the same count, so all variants do identical work.
   */
  static int calibrate(long targetNanos) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    LockBenchApp app = new LockBenchApp(newData(List.of("/calibrate")), 1000);
    long sink = 0;
    double best = Double.MAX_VALUE;
    for (int round = 0; round < 5; round++) {
      long start = threads.getCurrentThreadCpuTime();
      for (int i = 0; i < 20_000; i++) {
        sink += app.read("/calibrate");
      }
      double perIteration =
          (threads.getCurrentThreadCpuTime() - start) / (20_000.0 * app.iterations);
      best = Math.min(best, perIteration);
    }
    blackhole = sink;
    return (int) Math.max(1, Math.round(targetNanos / best));
  }
}
