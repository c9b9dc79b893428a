package io.deeplakelock.testapp.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;

/**
 * One cell's load in one worker JVM: its threads are created first and wait on a latch, so that
 * {@link #go} starts them all at once; they call the workload until a deadline shared by every JVM
 * of the cell (nanoTime is one clock for all processes of the host). The calls that return within
 * the measured window count, wherever they began: calls that straddle its start and its end then
 * balance, which matters where dozens of threads queue for a lock for hundreds of milliseconds.
 */
final class CellLoad {

  private final List<LoadThread> threads = new ArrayList<>();
  private final List<Thread> running = new ArrayList<>();
  private final CountDownLatch go = new CountDownLatch(1);
  private volatile long measureStart;
  private volatile long deadline;
  private long errors;

  /**
   * Creates and starts the cell's threads, which then wait for {@link #go}.
   *
   * @param writePercent share of calls that write, 0-100
   * @param datasets how many datasets the threads pick from (uniformly, per call)
   * @param recordCapacity bodies this JVM records for the exclusion check, split among its threads;
   *     0 records none
   */
  static CellLoad start(
      Calls calls,
      Map<String, long[]> data,
      int iterations,
      int threadCount,
      int writePercent,
      int datasets,
      int recordCapacity) {
    CellLoad load = new CellLoad();
    for (int i = 0; i < threadCount; i++) {
      load.add(
          i,
          calls,
          new LockBenchApp(data, iterations),
          writePercent,
          datasets,
          recordCapacity / threadCount);
    }
    return load;
  }

  private CellLoad() {}

  private void add(
      int i, Calls calls, LockBenchApp app, int writePercent, int datasets, int capacity) {
    LoadThread load =
        new LoadThread(
            calls,
            app,
            writePercent,
            datasets,
            capacity,
            new SplittableRandom(System.nanoTime() ^ ((long) i << 32)));
    threads.add(load);
    Thread thread = new Thread(load, "load-" + i);
    running.add(thread);
    thread.start();
  }

  /** Releases the threads; they measure from {@code measureStart} and stop at {@code deadline}. */
  void go(long measureStart, long deadline) {
    this.measureStart = measureStart;
    this.deadline = deadline;
    go.countDown();
  }

  /**
   * Waits for the threads, writes the recorded bodies to {@code intervals} (unless null) and
   * returns the protocol's {@code DONE} line.
   */
  String finish(Path intervals) throws InterruptedException, IOException {
    for (Thread thread : running) {
      thread.join();
    }
    long ops = 0;
    long callNanos = 0;
    long sink = 0;
    long complete = Long.MAX_VALUE;
    int recorded = 0;
    Histogram acquire = new Histogram();
    errors = 0;
    for (LoadThread t : threads) {
      ops += t.ops;
      errors += t.errors;
      callNanos += t.callNanos;
      sink ^= t.sink;
      complete = Math.min(complete, t.completeBefore);
      recorded += t.recorded;
      acquire.add(t.acquire);
    }
    if (intervals != null) {
      try (IntervalFile file = IntervalFile.create(intervals, recorded)) {
        for (LoadThread t : threads) {
          for (int i = 0; i < t.recorded; i++) {
            file.add(t.dataset[i], t.write[i], t.called[i], t.start[i], t.end[i]);
          }
        }
      }
    }
    return "DONE ops="
        + ops
        + " errors="
        + errors
        + " callNanos="
        + callNanos
        + " recorded="
        + recorded
        + " complete="
        + complete
        + " sink="
        + sink
        + " acquire="
        + acquire.encode();
  }

  /** Calls that threw, after {@link #finish}. */
  long errors() {
    return errors;
  }

  /** One thread's calls and what it saw. */
  private final class LoadThread implements Runnable {
    private final Calls calls;
    private final LockBenchApp app;
    private final int writePercent;
    private final int datasets;
    private final SplittableRandom random;
    private final int[] dataset;
    private final boolean[] write;
    private final long[] called;
    private final long[] start;
    private final long[] end;

    final Histogram acquire = new Histogram();
    long ops;
    long errors;
    long callNanos;
    long sink;
    int recorded;

    /** Every body that started before this instant (and in the window) is recorded. */
    long completeBefore = Long.MAX_VALUE;

    LoadThread(
        Calls calls,
        LockBenchApp app,
        int writePercent,
        int datasets,
        int capacity,
        SplittableRandom random) {
      this.calls = calls;
      this.app = app;
      this.writePercent = writePercent;
      this.datasets = datasets;
      this.random = random;
      this.dataset = new int[capacity];
      this.write = new boolean[capacity];
      this.called = new long[capacity];
      this.start = new long[capacity];
      this.end = new long[capacity];
    }

    @Override
    public void run() {
      try {
        go.await();
      } catch (InterruptedException e) {
        return;
      }
      long from = measureStart;
      long until = deadline;
      boolean recording = start.length > 0;
      while (true) {
        long callSite = System.nanoTime();
        if (callSite - until >= 0) {
          break;
        }
        int d = datasets == 1 ? 0 : random.nextInt(datasets);
        boolean isWrite =
            writePercent >= 100 || (writePercent > 0 && random.nextInt(100) < writePercent);
        try {
          sink += calls.call(app, d, isWrite);
        } catch (Exception e) {
          if (errors++ == 0) {
            System.err.println("first failed call of " + Thread.currentThread().getName() + ":");
            e.printStackTrace();
          }
          continue;
        }
        long returned = System.nanoTime();
        if (returned - from >= 0 && until - returned >= 0) {
          ops++;
          callNanos += returned - callSite;
          acquire.record(app.bodyStart - callSite);
        }
        if (recording && app.bodyStart - from >= 0) {
          if (recorded < start.length) {
            dataset[recorded] = d;
            write[recorded] = isWrite;
            called[recorded] = callSite;
            start[recorded] = app.bodyStart;
            end[recorded] = app.bodyEnd;
            recorded++;
          } else {
            completeBefore = app.bodyStart;
            recording = false;
          }
        }
      }
    }
  }
}
