package io.deeplakelock.agent;

import io.deeplakelock.bench.BenchZooKeeper;
import io.deeplakelock.bench.ClassFileMethods;
import io.deeplakelock.bench.PlainService;
import io.deeplakelock.bench.WovenService;
import io.deeplakelock.bridge.LockBridge;
import io.deeplakelock.lock.DatasetLock;
import java.lang.instrument.Instrumentation;
import java.util.concurrent.TimeUnit;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * What a guarded call costs in the JVM when it needs no ZooKeeper round trip, through the agent's
 * own pieces: the bridge, the {@link GuardedCalls} handler (rule, dataset expression, cached lock)
 * and the advice the agent's {@link GuardTransformer} weaves. The JVM's read node on the dataset is
 * held by a background thread for the whole trial, so every measured call joins it.
 *
 * <ul>
 *   <li>{@link #guardedCall}: the per-call path of a woven method written out by hand, as {@link
 *       InputGuardAdvice} makes it for a rule with {@code dataset: arg0}: {@code LockBridge.enter}
 *       with that one argument, and {@code LockBridge.exit}.
 *   <li>{@link #guardedCallAllArguments}: the same through the entry {@link GuardAdvice} uses for
 *       rules that read several values: the receiver and an array of every argument.
 *   <li>{@link #guardedCallFixedPath}: the same for a rule with a fixed lock path, which has no
 *       dataset expression to evaluate and passes nothing of the call.
 *   <li>{@link #wovenGuardedCall}: a method of a class the agent wove at load time, called as
 *       usual; its advice is inlined into it.
 *   <li>{@link #wovenGuardedCallNotInlined}: the same with the guarded method kept out of its
 *       caller, and {@link #wovenGuardedCallNothingInlined} with the bridge's entries kept out of
 *       the guarded method too: what it allocates then does not depend on inlining.
 *   <li>{@link #unmatchedMethod}: a method of that same woven class that no rule matches.
 *   <li>{@link #unguardedBaseline}: the same body in a class the agent never touched.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Djdk.attach.allowAttachSelf=true")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GuardedCallBenchmark {

  static final String DATASET = "/data/bench/guarded";

  // JVM options of the forks that keep methods from inlining (-jvmArgsAppend would replace them).
  static final String SELF_ATTACH = "-Djdk.attach.allowAttachSelf=true";
  static final String QUIET = "-XX:CompileCommand=quiet";
  static final String KEEP_READ =
      "-XX:CompileCommand=dontinline,io.deeplakelock.bench.WovenService::read";
  static final String KEEP_BRIDGE =
      "-XX:CompileCommand=dontinline,io.deeplakelock.bridge.LockBridge::*";

  /** The id the agent gives the first rule of the file; woven advice has it as a constant. */
  static final int RULE_ID = 0;

  /** The second rule: a fixed lock path, so no dataset expression is evaluated. */
  static final int FIXED_RULE_ID = 1;

  static final String FIXED_PATH = "/deeplake/bench-fixed";

  static final String RULES =
      "  - name: bench-read\n"
          + "    class: "
          + WovenService.NAME
          + "\n"
          + "    methods: [read]\n"
          + "    lock: read\n"
          + "    dataset: arg0\n"
          + "  - name: bench-fixed\n"
          + "    class: com.example.Fixed\n"
          + "    methods: [read]\n"
          + "    lock: read\n"
          + "    lockPath: "
          + FIXED_PATH
          + "\n";

  /**
   * The agent's lock handler plugged into the bridge, as at start-up, and a background thread of
   * this JVM that holds the dataset's read lock through it.
   */
  @State(Scope.Benchmark)
  public static class Agent {
    BenchZooKeeper zooKeeper;
    Conflicts conflicts;
    DatasetLock lock;
    DatasetLock fixed;
    long nodesAtStart;

    @Setup(Level.Trial)
    public void start() throws Exception {
      zooKeeper = BenchZooKeeper.start(RULES, "");
      if (zooKeeper.rule("bench-read").id() != RULE_ID
          || zooKeeper.rule("bench-fixed").id() != FIXED_RULE_ID) {
        throw new IllegalStateException(
            "the rules' ids are not " + RULE_ID + " and " + FIXED_RULE_ID);
      }
      conflicts = new Conflicts();
      GuardedCalls.install(
          zooKeeper.config(), zooKeeper.service(), conflicts, BenchZooKeeper.WORKING_DIRECTORY);
      lock = zooKeeper.lock(DATASET);
      zooKeeper.holdInBackground(
          "bench-reader", () -> LockBridge.enter(RULE_ID, PlainService.class, "read", DATASET));
      fixed = zooKeeper.service().lock(FIXED_PATH);
      zooKeeper.holdInBackground(
          "bench-fixed-reader",
          () -> LockBridge.enter(FIXED_RULE_ID, PlainService.class, "read", null));
      nodesAtStart = lock.stats().nodes() + fixed.stats().nodes();
      System.out.println("[bench] " + lock.path() + ": " + lock.holders());
      System.out.println("[bench] " + fixed.path() + ": " + fixed.holders());
    }

    @TearDown(Level.Trial)
    public void stop(BenchmarkParams params) throws Exception {
      try {
        System.out.println(
            "[bench] "
                + params.getBenchmark().replaceAll(".*\\.", "")
                + ": "
                + (lock.stats().acquisitions() + fixed.stats().acquisitions())
                + " acquisitions, "
                + (lock.stats().nodes() + fixed.stats().nodes() - nodesAtStart)
                + " ZooKeeper node(s) created after set-up");
        GuardedCalls.uninstall();
      } finally {
        zooKeeper.close();
      }
    }
  }

  /**
   * {@link WovenService} woven at load time by the agent's transformer, installed as {@link
   * AgentStartup} installs it (through ByteBuddy's self-attach rather than -javaagent). Prints, per
   * method, whether its code is still the compiler's.
   */
  @State(Scope.Benchmark)
  public static class Woven {
    private Instrumentation instrumentation;
    private java.lang.instrument.ClassFileTransformer installed;

    @Setup(Level.Trial)
    public void weave(Agent agent) throws Exception {
      instrumentation = ByteBuddyAgent.install();
      GuardTransformer transformer =
          new GuardTransformer(agent.zooKeeper.config().rules(), agent.conflicts);
      installed = AgentStartup.weave(instrumentation, transformer, false);
      ClassFileMethods.Recorder recorder = new ClassFileMethods.Recorder(WovenService.NAME);
      instrumentation.addTransformer(recorder);
      ClassLoader loader = GuardedCallBenchmark.class.getClassLoader();
      try {
        Class.forName(WovenService.NAME, true, loader);
      } finally {
        instrumentation.removeTransformer(recorder);
      }
      byte[] woven = recorder.seen();
      if (woven == null) {
        throw new IllegalStateException(
            WovenService.NAME + " was loaded before the agent was installed, so it is not woven");
      }
      if (transformer.instrumentedMethods() != 1) {
        throw new IllegalStateException(
            "the agent wove " + transformer.instrumentedMethods() + " methods, not 1");
      }
      for (String line :
          ClassFileMethods.compare(ClassFileMethods.original(WovenService.NAME, loader), woven)) {
        System.out.println("[weave] " + line);
      }
      WovenService probe = new WovenService();
      long before = agent.lock.stats().acquisitions();
      probe.read(DATASET);
      if (agent.lock.stats().acquisitions() != before + 1) {
        throw new IllegalStateException("the woven read() did not take the lock");
      }
      probe.peek(DATASET);
      if (agent.lock.stats().acquisitions() != before + 1) {
        throw new IllegalStateException("the unmatched peek() took the lock");
      }
    }

    @TearDown(Level.Trial)
    public void unweave() {
      instrumentation.removeTransformer(installed);
    }
  }

  /** Each benchmark thread's own receiver and argument, as a guarded call site has them. */
  @State(Scope.Thread)
  public static class WovenCaller {
    WovenService service;
    String dataset;

    @Setup(Level.Trial)
    public void make(Woven woven) {
      service = new WovenService();
      dataset = DATASET;
    }
  }

  /** Each benchmark thread's own receiver and argument, of the class the agent never touched. */
  @State(Scope.Thread)
  public static class PlainCaller {
    PlainService service;
    String dataset;

    @Setup(Level.Trial)
    public void make() {
      service = new PlainService();
      dataset = DATASET;
    }
  }

  /**
   * The per-call path of a woven method, by hand: the advice's constants (rule id, declaring class,
   * method name) and the one argument the rule reads, then {@code enter} and {@code exit} (the body
   * in between is left out).
   */
  @Benchmark
  public AutoCloseable guardedCall(Agent agent, PlainCaller caller) {
    AutoCloseable held = LockBridge.enter(RULE_ID, PlainService.class, "read", caller.dataset);
    LockBridge.exit(held, null);
    return held;
  }

  /**
   * {@link #guardedCall} through the entry for rules that read several values of the call: the
   * receiver and the argument array {@code @Advice.AllArguments} allocates.
   */
  @Benchmark
  @Threads(1)
  public AutoCloseable guardedCallAllArguments(Agent agent, PlainCaller caller) {
    AutoCloseable held =
        LockBridge.enter(
            RULE_ID, PlainService.class, "read", caller.service, new Object[] {caller.dataset});
    LockBridge.exit(held, null);
    return held;
  }

  /**
   * {@link #guardedCall} for a rule with a fixed {@code lockPath} instead of a dataset expression:
   * the same path without evaluating {@code arg0}, to tell the expression's cost from the rest.
   */
  @Benchmark
  public AutoCloseable guardedCallFixedPath(Agent agent, PlainCaller caller) {
    AutoCloseable held = LockBridge.enter(FIXED_RULE_ID, PlainService.class, "read", null);
    LockBridge.exit(held, null);
    return held;
  }

  /** A guarded method of a class the agent wove, called as the application calls it. */
  @Benchmark
  public int wovenGuardedCall(WovenCaller caller) {
    return caller.service.read(caller.dataset);
  }

  /**
   * {@link #wovenGuardedCall} with the guarded method kept out of its caller ({@code
   * -XX:CompileCommand=dontinline}), so no allocation is removed by inlining it.
   */
  @Benchmark
  @Fork(
      value = 1,
      jvmArgsAppend = {SELF_ATTACH, QUIET, KEEP_READ})
  public int wovenGuardedCallNotInlined(WovenCaller caller) {
    return caller.service.read(caller.dataset);
  }

  /**
   * {@link #wovenGuardedCallNotInlined} with the bridge's entries kept out of the guarded method as
   * well: whatever the advice passes to them must exist as an object.
   */
  @Benchmark
  @Fork(
      value = 1,
      jvmArgsAppend = {SELF_ATTACH, QUIET, KEEP_READ, KEEP_BRIDGE})
  public int wovenGuardedCallNothingInlined(WovenCaller caller) {
    return caller.service.read(caller.dataset);
  }

  /** A method of the woven class that no rule matches. */
  @Benchmark
  @Threads(1)
  public int unmatchedMethod(WovenCaller caller) {
    return caller.service.peek(caller.dataset);
  }

  /** The same body in a class without advice, in a JVM without the agent. */
  @Benchmark
  @Threads(1)
  public int unguardedBaseline(PlainCaller caller) {
    return caller.service.read(caller.dataset);
  }
}
