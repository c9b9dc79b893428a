package io.deeplakelock.bench;

import io.deeplakelock.bridge.HeldLockInfo;
import io.deeplakelock.bridge.LockMode;
import io.deeplakelock.lock.CallFrames;
import io.deeplakelock.lock.DatasetLock;
import io.deeplakelock.lock.LockRequest;
import io.deeplakelock.lock.LockService;
import io.deeplakelock.rules.Rule;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The in-JVM fast path of {@link DatasetLock}: what one guarded call costs when it needs no
 * ZooKeeper round trip. Each operation is what a guarded call does per call: {@code
 * service.frames()}, {@link DatasetLock#enter}, {@link CallFrames#close()}.
 *
 * <ul>
 *   <li>{@link #readJoin}: another thread of the JVM holds the read lock for the whole trial, so
 *       each call joins the JVM's shared read node and leaves it. Run at 1, 2, 4 and 8 threads.
 *   <li>{@link #nestedWrite}: the benchmark thread holds the write lock (taken in a per-iteration
 *       set-up on that thread), and each call re-enters it. Writers exclude each other: 1 thread.
 * </ul>
 *
 * <p>Run with {@code bin/bench-fastpath}; {@code -prof gc} reports bytes allocated per call.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class LockFastPathBenchmark {

  static final String DATASET = "/data/bench/fastpath";

  static final String RULES =
      "  - name: bench-read\n"
          + "    class: com.example.Dataset\n"
          + "    methods: [read]\n"
          + "    lock: read\n"
          + "    dataset: arg0\n"
          + "  - name: bench-write\n"
          + "    class: com.example.Dataset\n"
          + "    methods: [write]\n"
          + "    lock: write\n"
          + "    dataset: arg0\n";

  /** The class the calls say they come from (only messages name it). */
  static final class Origin {}

  /** A ZooKeeper, the lock service and the dataset's lock, with the two rules' settings. */
  public static class Dataset {
    BenchZooKeeper zooKeeper;
    LockService service;
    DatasetLock lock;
    LockRequest read;
    LockRequest write;
    long nodesAtStart;

    void start() throws Exception {
      start("0");
    }

    /** {@code linger} "default": no linger key, adaptive lingering as users get it. */
    void start(String linger) throws Exception {
      String locks = linger.equals("default") ? "" : "  linger: " + linger + "\n";
      zooKeeper = BenchZooKeeper.start(RULES, locks);
      service = zooKeeper.service();
      lock = zooKeeper.lock(DATASET);
      read = request(zooKeeper.rule("bench-read"));
      write = request(zooKeeper.rule("bench-write"));
    }

    private static LockRequest request(Rule rule) {
      return new LockRequest(rule.name(), rule.mode(), rule.policy());
    }

    /** Ends the trial; says how many ZooKeeper nodes the measured calls created. */
    void stop(String what) throws Exception {
      try {
        System.out.println(
            "[bench] "
                + what
                + ": "
                + lock.stats().acquisitions()
                + " acquisitions, "
                + (lock.stats().nodes() - nodesAtStart)
                + " ZooKeeper node(s) created after set-up");
      } finally {
        zooKeeper.close();
      }
    }
  }

  /** The dataset's read lock held by a background thread of this JVM for the whole trial. */
  @State(Scope.Benchmark)
  public static class JvmHoldsRead extends Dataset {
    /**
     * locks.linger: with 0 the last reader out removes the node, so every leave that empties its
     * count looks for another holder (stopping at the first, here the background reader's quiet
     * slot); with a linger the timer checks the node instead, and a reader leaves by a plain store
     * (S5 of ReadShare). "default" lingers adaptively: the share is kept, and left by store, from
     * its first linger check on (10 ms into the trial), which finds it joined.
     */
    @Param({"0", "20ms", "default"})
    public String linger;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      start(linger);
      zooKeeper.holdInBackground(
          "bench-reader",
          () -> {
            CallFrames frames = service.frames();
            lock.enter(frames, read, Origin.class, "read", LockFastPathBenchmark.DATASET);
            return frames;
          });
      nodesAtStart = lock.stats().nodes();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
      stop("readJoin");
    }
  }

  /** Readers join the JVM's shared read node and leave it; it stays held by the background one. */
  @Benchmark
  public CallFrames readJoin(JvmHoldsRead d) {
    CallFrames frames = d.service.frames();
    d.lock.enter(frames, d.read, Origin.class, "read", DATASET);
    frames.close();
    return frames;
  }

  /** The dataset, free: its write lock is taken by each benchmark thread in {@link HoldsWrite}. */
  @State(Scope.Benchmark)
  public static class FreeDataset extends Dataset {
    @Setup(Level.Trial)
    public void setUp() throws Exception {
      start();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
      stop("nestedWrite (the outer calls: one per iteration)");
    }
  }

  /**
   * The outer guarded call of each benchmark thread: holds the write lock during each iteration.
   * JMH runs the set-up and tear-down of a thread-scoped state on the thread that uses it; the
   * tear-down checks that it still holds the lock it took there.
   */
  @State(Scope.Thread)
  public static class HoldsWrite {
    private CallFrames outer;
    private Thread owner;

    @Setup(Level.Iteration)
    public void take(FreeDataset d, BenchmarkParams params) {
      if (params.getThreads() != 1) {
        throw new IllegalStateException(
            "nestedWrite holds the exclusive write lock in each benchmark thread: run it with -t 1");
      }
      owner = Thread.currentThread();
      outer = d.service.frames();
      d.lock.enter(outer, d.write, Origin.class, "write", LockFastPathBenchmark.DATASET);
    }

    @TearDown(Level.Iteration)
    public void release(FreeDataset d) {
      HeldLockInfo held = d.service.current();
      if (Thread.currentThread() != owner || held == null || held.mode() != LockMode.WRITE) {
        throw new IllegalStateException(
            "the iteration ended on " + Thread.currentThread() + " holding " + held);
      }
      outer.close();
    }
  }

  /** A writer's nested guarded call on the dataset it holds: re-enters, never leaves the JVM. */
  @Benchmark
  @Threads(1)
  public CallFrames nestedWrite(FreeDataset d, HoldsWrite outer) {
    CallFrames frames = d.service.frames();
    d.lock.enter(frames, d.write, Origin.class, "write", DATASET);
    frames.close();
    return frames;
  }
}
