package io.deeplakelock.lock;

import io.deeplakelock.bridge.LockMode;
import io.deeplakelock.lock.SimZooKeeper.Family;
import io.deeplakelock.lock.SimZooKeeper.Node;
import io.deeplakelock.lock.SimZooKeeper.Session;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Runs the real {@link LockEngine} of several simulated JVMs against {@link SimZooKeeper}, one
 * schedule at a time, and checks the invariants I1-I6 (issue 10) after every step.
 *
 * <p>Each simulated JVM has one {@link SimClient}, one engine per dataset (its connection listener
 * calls {@link LockEngine#onConnection}) and a few simulated local threads. A thread loops: request
 * (or join) the lock of a dataset with a deadline in virtual time, wait (cancelling once the
 * deadline passed), run its body for a few steps, leave, and wait (bounded) for a PENDING outcome.
 * Foreign kazoo or Curator contenders share the lock paths. Every step picks, with the schedule's
 * seeded {@link Random}, one enabled action: the server applies one request, a client receives one
 * reply or event, a thread or foreign contender takes a step, a due timer runs, time advances to
 * the next timer or deadline, or (rarely) a fault happens. After the schedule's last step comes a
 * quiescence phase: no new calls, no faults, every connection restored, until nothing is left to
 * do, then the liveness and clean-up invariants.
 *
 * <p>A violation throws {@link Violation}, whose message holds the seed, the step, the invariant
 * and the last 40 steps ({@code -Dsim.trace=N} for more) (the schedule is replayed with tracing to
 * print them). A scripted test drives the same actions by hand ({@link #scripted}) and gets the
 * same checks.
 */
final class LockEngineSimulation {

  static final long MS = 1_000_000L;
  static final int TRACE = Integer.getInteger("sim.trace", 40);

  /** The shape of one schedule. */
  static final class Config {
    int jvms = 2;
    int threadsPerJvm = 2;
    int datasets = 1;
    int foreign = 1;
    boolean coalesce = true;

    /** 0: none; negative: adaptive (the default of the rules file). */
    long lingerNanos = 0;

    // Two slots: with up to four threads per JVM, the third and fourth count in shared counts.
    int stripes = 2;
    Family family = Family.KAZOO;

    /** Steps before the quiescence phase. */
    int steps = 400;

    /** The chance that a step is a fault, when one is possible. */
    double faultRate = 0.02;

    long[] timeouts = {20 * MS, 200 * MS, 2000 * MS};
    long connectionTimeout = 1000 * MS;
    int maxBodySteps = 6;

    /** A watch event caused by the node's deletion is a sign of loss (I2), as the issue says. */
    boolean watchEventIsSign = !"false".equals(System.getProperty("sim.watchSign"));

    /** The configuration a seed stands for: every combination turns up across a seed range. */
    static Config forSeed(long seed) {
      Random r = new Random(seed * 0x9E3779B97F4A7C15L);
      Config c = new Config();
      c.coalesce = (seed & 1) == 0;
      c.lingerNanos = (seed & 2) == 0 ? 0 : (r.nextBoolean() ? 50 : 500) * MS;
      c.threadsPerJvm = 1 + (int) ((seed >>> 2) % 4);
      c.jvms = 1 + r.nextInt(3);
      c.datasets = r.nextInt(4) == 0 ? 2 : 1;
      c.foreign = r.nextInt(3);
      c.family = r.nextInt(4) == 0 ? Family.CURATOR : Family.KAZOO;
      c.steps = 200 + r.nextInt(400);
      c.faultRate = r.nextInt(3) == 0 ? 0.0 : 0.01 + r.nextDouble() * 0.04;
      // Half the lingering schedules linger adaptively (the default), drawn apart from the rest
      // so that every other choice of a seed stays as it was.
      if (c.lingerNanos > 0 && new Random(seed).nextBoolean()) {
        c.lingerNanos = -1;
      }
      return c;
    }

    @Override
    public String toString() {
      return String.format(
          "jvms=%d threads=%d datasets=%d foreign=%d(%s) coalesce=%s linger=%s steps=%d"
              + " faults=%.3f",
          jvms,
          threadsPerJvm,
          datasets,
          foreign,
          family,
          coalesce,
          lingerNanos < 0 ? "adaptive" : lingerNanos / MS + "ms",
          steps,
          faultRate);
    }
  }

  /** An invariant failed: the message says which, where, and how the schedule got there. */
  static final class Violation extends AssertionError {
    private static final long serialVersionUID = 1L;
    final String invariant;
    final long step;

    Violation(String invariant, long step, String message) {
      super(message);
      this.invariant = invariant;
      this.step = step;
    }
  }

  /** One simulated JVM: a client and an engine per dataset. */
  final class Jvm {
    final int index;
    final SimClient client;
    final LockEngine[] engines;

    Jvm(int index) {
      this.index = index;
      this.client = server.client("jvm" + index, config.family);
      this.engines = new LockEngine[config.datasets];
      LockEngine.Settings settings =
          new LockEngine.Settings(config.coalesce, config.lingerNanos, config.stripes);
      OtherProcesses others = new OtherProcesses(); // one per JVM, as in LockService
      for (int d = 0; d < config.datasets; d++) {
        LockEngine engine =
            new LockEngine(
                datasetPath(d), client, clock, settings, new LockCounters(), null, others);
        engines[d] = engine;
        client.listen(engine::onConnection);
      }
    }
  }

  enum Phase {
    IDLE,
    WAITING,
    RUNNING,
    PENDING_LEAVE,
    /**
     * A leave by release store whose reads of the share came first: it saw the share open and will
     * return without the engine's lock, but its store lands only at the thread's next step (the
     * reordering S5 of {@link ReadShare} allows).
     */
    STORE_PENDING
  }

  /** One guarded call, from request to its final outcome. */
  static final class Call {
    final int id;
    final SimThread thread;
    final int dataset;
    final LockMode mode;
    final long deadline;
    Request request;
    Hold hold;
    boolean joined;
    long grantStep = -1;
    int bodySteps;
    long leaveStep = -1;

    /** The JVM's unanswered sign of the node's loss when the call left, or null. */
    String signAtLeave;

    long pendingUntil;
    LockLoss outcome;

    Call(int id, SimThread thread, int dataset, LockMode mode, long deadline) {
      this.id = id;
      this.thread = thread;
      this.dataset = dataset;
      this.mode = mode;
      this.deadline = deadline;
    }

    @Override
    public String toString() {
      String node = hold == null ? "" : " on " + hold.node.name() + " token " + hold.node.czxid;
      return "call#" + id + " " + thread.name + " " + mode.label() + " ds" + dataset + node;
    }
  }

  /** A simulated application thread of one JVM. */
  final class SimThread {
    final Jvm jvm;
    final String name;
    final int stripe;
    Phase phase = Phase.IDLE;
    Call call;
    boolean active = true;

    SimThread(Jvm jvm, int index) {
      this.jvm = jvm;
      this.name = "jvm" + jvm.index + "/t" + index;
      // Unique in its JVM, as CallFrames numbers threads: past the slots, shared counts.
      this.stripe = index;
    }

    /** The next leave reads first and stores at the following step, where it can (scripted). */
    boolean reorderNextLeave;

    boolean canStep() {
      switch (phase) {
        case IDLE:
          return active;
        case WAITING:
          return call.request.state() != Request.State.WAITING || clock.nanoTime() >= call.deadline;
        case RUNNING:
        case STORE_PENDING:
          return true;
        default:
          return engine(call).outcome(call.hold) != LockLoss.PENDING
              || clock.nanoTime() >= call.pendingUntil;
      }
    }
  }

  final long seed;
  final Config config;
  final Random random;

  /**
   * Which leaves by release store are reordered: drawn apart, so that seeds keep their schedule.
   */
  private final Random reorders;

  final SimZooKeeper server;
  final SimClock clock = new SimClock();
  final List<Jvm> jvms = new ArrayList<>();
  final List<SimThread> threads = new ArrayList<>();
  final List<SimForeignContender> foreign = new ArrayList<>();
  final List<Call> finished = new ArrayList<>();

  private final boolean tracing;
  private final ArrayDeque<String> trace = new ArrayDeque<>();
  private long step;

  /** Grants on nodes already gone from the server, whose loss was still on its way to the JVM. */
  long staleGrants;

  private String current;
  private int calls;
  private boolean quiescing;
  private final long[] lastWriteToken;
  private final String[] lastWriteNode;
  private final byte[] data = "sim".getBytes(java.nio.charset.StandardCharsets.UTF_8);
  private int[] actions = new int[64];
  private int actionCount;

  LockEngineSimulation(long seed, Config config, boolean tracing) {
    this.seed = seed;
    this.config = config;
    this.tracing = tracing;
    this.random = new Random(seed);
    this.reorders = new Random(~seed);
    this.server = new SimZooKeeper(random);
    server.step = 1;
    this.lastWriteToken = new long[config.datasets];
    this.lastWriteNode = new String[config.datasets];
    for (int j = 0; j < config.jvms; j++) {
      Jvm jvm = new Jvm(j);
      jvms.add(jvm);
      for (int t = 0; t < config.threadsPerJvm; t++) {
        threads.add(new SimThread(jvm, t));
      }
    }
    for (int f = 0; f < config.foreign; f++) {
      SimClient client = server.client("foreign" + f, config.family);
      String lockPath = datasetPath(f % config.datasets);
      foreign.add(new SimForeignContender("foreign" + f, client, lockPath, this::foreignGranted));
    }
  }

  /** A simulation driven by hand: actions are called one by one, every one followed by checks. */
  static LockEngineSimulation scripted(Config config) {
    LockEngineSimulation sim = new LockEngineSimulation(0, config, true);
    for (SimThread t : sim.threads) {
      t.active = false;
    }
    for (SimForeignContender f : sim.foreign) {
      f.active = false;
    }
    return sim;
  }

  static String datasetPath(int dataset) {
    return "/deeplake/ds" + dataset;
  }

  LockEngine engine(Call call) {
    return call.thread.jvm.engines[call.dataset];
  }

  long steps() {
    return step;
  }

  // ---- running a schedule ----------------------------------------------------------------------

  /** Runs the schedule and its quiescence phase; throws {@link Violation} (with a trace). */
  static long run(long seed, Config config) {
    LockEngineSimulation sim = new LockEngineSimulation(seed, config, false);
    try {
      sim.runSchedule();
      return sim.step;
    } catch (Violation v) {
      new LockEngineSimulation(seed, config, true).runSchedule();
      throw new Violation(
          v.invariant,
          v.step,
          v.getMessage() + "\n(the traced replay did not fail: not replayable)");
    }
  }

  /** The schedule and its quiescence; an exception from the engine is a violation too. */
  void runSchedule() {
    try {
      for (int i = 0; i < config.steps; i++) {
        if (!randomStep()) {
          break;
        }
      }
      quiesce();
    } catch (Violation v) {
      throw v;
    } catch (RuntimeException | StackOverflowError e) {
      Violation v = violation("exception", "the engine threw " + e);
      v.initCause(e);
      throw v;
    }
  }

  /**
   * Applies every request and delivers every reply and event, runs due timers, until none is left
   * (scripted tests). Threads and time do not move.
   */
  void settle() {
    boolean moved = true;
    while (moved) {
      moved = false;
      for (SimClient client : new ArrayList<>(server.clients)) {
        if (!client.inbound.isEmpty()) {
          apply(client);
          moved = true;
        }
        if (!client.outbound.isEmpty()) {
          deliver(client);
          moved = true;
        }
      }
      if (clock.hasDue()) {
        runTimer();
        moved = true;
      }
    }
  }

  /** One step chosen by the seed; false when nothing at all is enabled. */
  boolean randomStep() {
    if (!quiescing && config.faultRate > 0 && random.nextDouble() < config.faultRate) {
      if (randomFault()) {
        return true;
      }
    }
    collectActions();
    if (actionCount == 0) {
      return false;
    }
    int action = actions[random.nextInt(actionCount)];
    perform(action >>> 16, action & 0xFFFF);
    return true;
  }

  private static final int APPLY = 0;
  private static final int DELIVER = 1;
  private static final int THREAD = 2;
  private static final int FOREIGN = 3;
  private static final int TIMER = 4;
  private static final int TIME = 5;
  private static final int RECONNECT = 6;

  private void add(int kind, int index) {
    if (actionCount == actions.length) {
      actions = java.util.Arrays.copyOf(actions, actionCount * 2);
    }
    actions[actionCount++] = kind << 16 | index;
  }

  private void collectActions() {
    actionCount = 0;
    List<SimClient> clients = server.clients;
    for (int c = 0; c < clients.size(); c++) {
      SimClient client = clients.get(c);
      if (!client.inbound.isEmpty()) {
        add(APPLY, c);
      }
      if (!client.outbound.isEmpty()) {
        add(DELIVER, c);
      }
      if (!client.connected() && (quiescing || random.nextInt(4) == 0)) {
        add(RECONNECT, c);
      }
    }
    for (int t = 0; t < threads.size(); t++) {
      if (threads.get(t).canStep()) {
        add(THREAD, t);
      }
    }
    for (int f = 0; f < foreign.size(); f++) {
      if (foreign.get(f).canStep()) {
        add(FOREIGN, f);
      }
    }
    if (clock.hasDue()) {
      add(TIMER, 0);
    } else if (nextTime() != Long.MAX_VALUE && (actionCount == 0 || random.nextInt(3) == 0)) {
      add(TIME, 0);
    }
  }

  /** The next time at which something is due: a timer, a deadline (not while quiescing). */
  private long nextTime() {
    long next = clock.nextTimer();
    if (!quiescing) {
      for (SimThread t : threads) {
        if (t.phase == Phase.WAITING) {
          next = Math.min(next, t.call.deadline);
        } else if (t.phase == Phase.PENDING_LEAVE) {
          next = Math.min(next, t.call.pendingUntil);
        }
      }
    }
    return next;
  }

  private void perform(int kind, int index) {
    switch (kind) {
      case APPLY:
        apply(server.clients.get(index));
        break;
      case DELIVER:
        deliver(server.clients.get(index));
        break;
      case THREAD:
        stepThread(threads.get(index));
        break;
      case FOREIGN:
        stepForeign(foreign.get(index));
        break;
      case TIMER:
        runTimer();
        break;
      case TIME:
        advanceTime(nextTime() - clock.nanoTime());
        break;
      default:
        reconnect(server.clients.get(index));
    }
  }

  private boolean randomFault() {
    int kind = random.nextInt(7);
    Jvm jvm = jvms.get(random.nextInt(jvms.size()));
    SimClient client = jvm.client;
    switch (kind) {
      case 0:
      case 1:
        if (client.connected()) {
          disconnect(
              jvm,
              random.nextInt(client.inbound.size() + 1),
              random.nextInt(client.outbound.size() + 1),
              random.nextBoolean());
          return true;
        }
        return false;
      case 2:
        if (!client.connected() && client.toldDisconnected() && !client.session.expired) {
          expire(jvm);
          return true;
        }
        return false;
      case 3:
        if (!client.connected() && client.toldDisconnected() && !client.sessionGivenUp()) {
          giveUpSession(jvm);
          return true;
        }
        return false;
      case 4:
        {
          List<Node> live = new ArrayList<>();
          for (int d = 0; d < config.datasets; d++) {
            live.addAll(server.children(datasetPath(d)));
          }
          for (Session s : server.sessions) {
            if (abandoned(s)) {
              expireAbandoned(s);
              return true;
            }
          }
          if (live.isEmpty()) {
            return false;
          }
          operatorDelete(live.get(random.nextInt(live.size())).path);
          return true;
        }
      case 5:
        return operatorDeletePath(random.nextInt(config.datasets));
      default:
        return rejectNext(jvm, NodeStore.Code.NO_AUTH);
    }
  }

  /** A session its client gave up or left, which the server has not expired yet. */
  private static boolean abandoned(Session s) {
    return !s.expired && (s.client.session != s || s.client.sessionGivenUp());
  }

  // ---- actions (each one step, followed by the checks) -----------------------------------------

  void apply(SimClient client) {
    String what = tracing ? begun("apply " + client.name + ": " + client.inbound.peek()) : null;
    client.applyNext();
    done(what);
  }

  void deliver(SimClient client) {
    String what = tracing ? begun("deliver " + client.name + ": " + client.peekDelivery()) : null;
    client.deliverNext();
    done(what);
  }

  void runTimer() {
    clock.runDue();
    done(tracing ? "timer" : null);
  }

  void advanceTime(long nanos) {
    clock.advanceTo(clock.nanoTime() + nanos);
    done(tracing ? "time +" + nanos / 1000 + "us" : null);
  }

  void reconnect(SimClient client) {
    client.reconnect();
    done(tracing ? "reconnect " + client.describe() : null);
  }

  void disconnect(Jvm jvm, int applied, int received, boolean findAgain) {
    SimClient client = jvm.client;
    String what =
        tracing
            ? "disconnect "
                + client.describe()
                + " applied="
                + applied
                + " received="
                + received
                + " findAgain="
                + findAgain
            : null;
    client.disconnect(applied, received, findAgain);
    done(what);
  }

  void expire(Jvm jvm) {
    String what = tracing ? "expire " + jvm.client.describe() : null;
    server.expire(jvm.client.session);
    done(what);
  }

  void giveUpSession(Jvm jvm) {
    String what = tracing ? "give up session " + jvm.client.describe() : null;
    jvm.client.giveUpSession();
    done(what);
  }

  void expireAbandoned(Session session) {
    server.expire(session);
    done(tracing ? "expire abandoned session 0x" + Long.toHexString(session.id) : null);
  }

  void operatorDelete(String nodePath) {
    server.deleteNode(server.node(nodePath), "operator");
    done(tracing ? "operator deletes " + nodePath : null);
  }

  boolean operatorDeletePath(int dataset) {
    if (!server.deleteParent(datasetPath(dataset))) {
      return false;
    }
    done(tracing ? "operator deletes " + datasetPath(dataset) : null);
    return true;
  }

  boolean rejectNext(Jvm jvm, NodeStore.Code code) {
    String what = tracing ? code + " for " + jvm.client.inbound.peek() : null;
    if (!jvm.client.rejectHead(code)) {
      return false;
    }
    done(what);
    return true;
  }

  void stepForeign(SimForeignContender f) {
    String before = tracing ? begun(f.toString()) : null;
    LockMode mode = random.nextInt(3) == 0 ? LockMode.READ : LockMode.WRITE;
    f.step(mode, 1 + random.nextInt(config.maxBodySteps));
    done(tracing ? "step " + before + " -> " + f.state : null);
  }

  /** Starts a call on an idle thread (scripted tests); {@code join} tries the read fast path. */
  Call startCall(SimThread t, int dataset, LockMode mode, long timeoutNanos, int body) {
    if (t.phase != Phase.IDLE) {
      throw new IllegalStateException(t.name + " is busy");
    }
    Call call = begin(t, dataset, mode, timeoutNanos, body, mode == LockMode.READ);
    done(tracing ? "start " + call + " -> " + t.phase : null);
    return call;
  }

  void stepThread(SimThread t) {
    String what = tracing ? begun("step " + t.name + " " + t.phase) : null;
    String result = threadStep(t);
    done(tracing ? what + ": " + result : null);
  }

  private Call begin(
      SimThread t, int dataset, LockMode mode, long timeout, int body, boolean join) {
    Call call = new Call(++calls, t, dataset, mode, clock.nanoTime() + timeout);
    call.bodySteps = body;
    t.call = call;
    LockEngine engine = engine(call);
    if (join) {
      Hold hold = engine.tryJoin(t.stripe);
      if (hold != null) {
        call.joined = true;
        call.hold = hold;
        t.phase = Phase.RUNNING;
        granted(call);
        return call;
      }
    }
    call.request = engine.request(mode, t.stripe, data);
    t.phase = Phase.WAITING;
    afterRequestChange(call);
    return call;
  }

  private String threadStep(SimThread t) {
    Call call = t.call;
    switch (t.phase) {
      case IDLE:
        {
          int dataset = random.nextInt(config.datasets);
          LockMode mode = random.nextInt(5) < 2 ? LockMode.WRITE : LockMode.READ;
          long timeout = config.timeouts[random.nextInt(config.timeouts.length)];
          Call c =
              begin(
                  t,
                  dataset,
                  mode,
                  timeout,
                  1 + random.nextInt(config.maxBodySteps),
                  mode == LockMode.READ && random.nextBoolean());
          return "start " + c + " -> " + t.phase;
        }
      case WAITING:
        if (call.request.state() == Request.State.WAITING) {
          engine(call).cancel(call.request);
          if (call.request.state() == Request.State.WAITING) {
            throw violation("I4", call + " still waits after cancel at its deadline");
          }
          afterRequestChange(call);
          return "deadline passed: cancel -> " + call.request.state();
        }
        afterRequestChange(call);
        return call.request.state().toString();
      case RUNNING:
        if (--call.bodySteps > 0) {
          return "body";
        }
        call.leaveStep = step + 1;
        SimClient.Known known = t.jvm.client.known(call.hold.node.path);
        call.signAtLeave = known == null ? null : known.openSign;
        if (reordersLeave(t)) {
          t.phase = Phase.STORE_PENDING;
          return "leave " + call + ": saw the share open, its store still to land";
        }
        LockLoss out = engine(call).leave(call.hold, t.stripe);
        if (out == LockLoss.PENDING) {
          t.phase = Phase.PENDING_LEAVE;
          call.pendingUntil = clock.nanoTime() + config.connectionTimeout;
          return "leave " + call + " -> PENDING";
        }
        end(call, out);
        return "leave " + call + " -> " + out;
      case STORE_PENDING:
        ((ReadShare) call.hold).exitOwn(t.stripe);
        end(call, null);
        return "leave " + call + ": store landed -> null";
      default:
        {
          LockLoss now = engine(call).outcome(call.hold);
          if (now == LockLoss.PENDING) {
            now = engine(call).giveUp(call.hold);
            if (now == LockLoss.PENDING) {
              throw violation("I4", call + ": giveUp after the connection timeout is PENDING");
            }
          }
          end(call, now);
          return "outcome " + call + " -> " + now;
        }
    }
  }

  /**
   * Whether this leave is a release store whose reads come first (S5 of {@link ReadShare}): only a
   * leave the engine makes by store, of a share the reads find open and its node not lost (the
   * leave then returns without the engine's lock); one in four of those at random, or the one a
   * scripted test asked for.
   */
  private boolean reordersLeave(SimThread t) {
    Call call = t.call;
    if (!(call.hold instanceof ReadShare)) {
      return false;
    }
    ReadShare s = (ReadShare) call.hold;
    if (!engine(call).leavesByStore(s, t.stripe) || !s.open || s.node.outcome() != null) {
      return false;
    }
    boolean asked = t.reorderNextLeave;
    t.reorderNextLeave = false;
    return asked || reorders.nextInt(4) == 0;
  }

  /** A request's state may have changed (on its thread, or in any callback): follow it. */
  private void afterRequestChange(Call call) {
    SimThread t = call.thread;
    if (t.phase != Phase.WAITING || t.call != call) {
      return;
    }
    switch (call.request.state()) {
      case GRANTED:
        call.hold = call.request.hold();
        t.phase = Phase.RUNNING;
        granted(call);
        break;
      case FAILED:
      case CANCELLED:
        t.phase = Phase.IDLE;
        t.call = null;
        finished.add(call);
        break;
      default:
    }
  }

  private void end(Call call, LockLoss out) {
    call.outcome = out;
    call.thread.phase = Phase.IDLE;
    call.thread.call = null;
    finished.add(call);
    // I2: a call whose node was gone before it ended, as the JVM had been told, hears of it.
    Node node = server.history.get(call.hold.node.path);
    String sign = call.signAtLeave;
    if (out == null
        && node != null
        && node.deletedStep >= 0
        && node.deletedStep <= call.leaveStep
        && sign != null
        && (config.watchEventIsSign || !sign.startsWith("watch event"))) {
      throw violation(
          "I2",
          call
              + " ended without a loss, but its node was deleted at step "
              + node.deletedStep
              + " ("
              + node.deletedBy
              + ") and the JVM had been told: "
              + sign);
    }
  }

  private boolean signed(SimClient.Known k) {
    return k.signStep >= 0 && (config.watchEventIsSign || !k.sign.startsWith("watch event"));
  }

  private void granted(Call call) {
    call.grantStep = step;
    OwnNode n = call.hold.node;
    if (call.hold.mode() != call.mode && call.mode == LockMode.WRITE) {
      throw violation("I1", call + " asked to write and was granted " + call.hold.mode());
    }
    SimClient.Known k = call.thread.jvm.client.known(n.path);
    if (k == null) {
      throw violation("I2", call + " was granted a node whose create reply never arrived");
    }
    if (signed(k)) {
      throw violation("I2", call + " was granted after a sign of the node's loss: " + k.sign);
    }
    if (server.node(n.path) == null) {
      // The node is gone but the JVM has not heard yet (the news is in flight): no engine can
      // know, so the grant is outside I1/I3; the call must hear of the loss if the news comes in
      // time (I2, at its end).
      staleGrants++;
    } else if (call.mode == LockMode.WRITE) {
      writeGrant(call.dataset, n.czxid, n.path, call.toString());
    }
  }

  private void foreignGranted(SimForeignContender f) {
    if (f.mode == LockMode.WRITE && server.node(f.node) != null) {
      int dataset = Integer.parseInt(f.lockPath.substring(f.lockPath.lastIndexOf("ds") + 2));
      writeGrant(dataset, f.token, f.node, f.name);
    }
  }

  private void writeGrant(int dataset, long token, String node, String who) {
    long last = lastWriteToken[dataset];
    if (token < last || (token == last && !node.equals(lastWriteNode[dataset]))) {
      throw violation(
          "I3",
          "write grant to "
              + who
              + " with token "
              + token
              + " after a write grant with token "
              + last
              + " ("
              + lastWriteNode[dataset]
              + ")");
    }
    lastWriteToken[dataset] = token;
    lastWriteNode[dataset] = node;
  }

  // ---- checks ----------------------------------------------------------------------------------

  /** Notes the action under way, so that a violation in its midst names it. */
  private String begun(String what) {
    current = what;
    return what;
  }

  private void done(String what) {
    current = null;
    step++;
    server.step = step + 1; // the number of the step under way, stamped on what happens in it
    if (tracing) {
      if (trace.size() == TRACE) {
        trace.poll();
      }
      trace.add(String.format("%6d  t=%dms  %s", step, clock.nanoTime() / MS, what));
    }
    for (SimThread t : threads) {
      if (t.phase == Phase.WAITING) {
        afterRequestChange(t.call);
      }
    }
    checkExclusion();
    for (Jvm jvm : jvms) {
      for (int d = 0; d < config.datasets; d++) {
        if (jvm.client.watchCount(datasetPath(d)) > 1) {
          throw violation("I6", "jvm" + jvm.index + " has more than one watch on ds" + d);
        }
      }
    }
  }

  /** I1: no two running calls that conflict on one dataset both hold nodes that still exist. */
  private void checkExclusion() {
    for (int d = 0; d < config.datasets; d++) {
      int running = 0;
      int writers = 0;
      String first = null;
      String second = null;
      for (SimThread t : threads) {
        Call c = t.call;
        if (t.phase == Phase.RUNNING && c.dataset == d && server.node(c.hold.node.path) != null) {
          running++;
          writers += c.hold.mode() == LockMode.WRITE ? 1 : 0;
          if (first == null) {
            first = c.toString();
          } else if (second == null) {
            second = c.toString();
          }
        }
      }
      for (SimForeignContender f : foreign) {
        if (f.holdsLiveNode() && f.lockPath.equals(datasetPath(d))) {
          running++;
          writers += f.mode == LockMode.WRITE ? 1 : 0;
          if (first == null) {
            first = f.toString();
          } else if (second == null) {
            second = f.toString();
          }
        }
      }
      if (writers > 0 && running > 1) {
        throw violation("I1", "conflicting holders of ds" + d + ": " + first + " and " + second);
      }
    }
  }

  /**
   * The quiescence phase: no new calls and no faults; lost connections come back and sessions the
   * clients gave up expire; everything runs until nothing is left but deadlines. Then I5 (no call
   * or foreign contender waits, no leave is pending) and I6 (no nodes of the JVMs, at most one
   * watch per client and path).
   */
  void quiesce() {
    quiescing = true;
    for (SimThread t : threads) {
      t.active = false;
    }
    for (SimForeignContender f : foreign) {
      f.active = false;
    }
    int limit = 20_000;
    while (true) {
      for (Session s : new ArrayList<>(server.sessions)) {
        if (abandoned(s)) {
          expireAbandoned(s);
        }
      }
      collectActions();
      if (actionCount == 0) {
        break;
      }
      if (--limit == 0) {
        throw violation("I5", "no quiescence within 20000 steps: something keeps going");
      }
      int action = actions[random.nextInt(actionCount)];
      perform(action >>> 16, action & 0xFFFF);
    }
    for (SimThread t : threads) {
      if (t.phase != Phase.IDLE) {
        throw violation("I5", t.call + " is still " + t.phase + " with nothing left to happen");
      }
    }
    for (SimForeignContender f : foreign) {
      if (f.state != SimForeignContender.State.IDLE) {
        throw violation("I5", "foreign contender " + f + " never got the lock");
      }
    }
    for (Jvm jvm : jvms) {
      for (int d = 0; d < config.datasets; d++) {
        List<Node> left = server.nodesOf(jvm.client, datasetPath(d));
        if (!left.isEmpty()) {
          throw violation("I6", "jvm" + jvm.index + " left nodes on ds" + d + ": " + left);
        }
        // One watch may be left where the JVM has no node any more (a listing sent before its
        // last node's removal was applied after it): it fires once at the next change, no more.
        int watches = jvm.client.watchCount(datasetPath(d));
        if (watches > 1) {
          throw violation(
              "I6", "jvm" + jvm.index + " left " + watches + " watches on ds" + d + " (no node)");
        }
      }
      // Every node is gone by now, and a node watch fires when its node goes: none may be left.
      if (jvm.client.nodeWatchCount() > 0) {
        throw violation(
            "I6", "jvm" + jvm.index + " left node watches on " + jvm.client.nodeWatches.keySet());
      }
    }
  }

  Violation violation(String invariant, String message) {
    StringBuilder out = new StringBuilder();
    out.append(invariant)
        .append(" violated at step ")
        .append(step)
        .append(" of seed ")
        .append(seed)
        .append(" (")
        .append(config)
        .append("):\n  ")
        .append(message);
    if (tracing) {
      out.append("\nstate:");
      for (SimClient c : server.clients) {
        out.append("\n  ").append(c.describe());
      }
      for (SimThread t : threads) {
        out.append("\n  ").append(t.name).append(' ').append(t.phase);
        if (t.call != null) {
          out.append(' ').append(t.call);
        }
      }
      for (SimForeignContender f : foreign) {
        out.append("\n  ").append(f);
      }
      for (int d = 0; d < config.datasets; d++) {
        out.append("\n  ds").append(d).append(": ").append(server.children(datasetPath(d)));
      }
      out.append("\nlast ").append(trace.size()).append(" steps:");
      for (String line : trace) {
        out.append("\n").append(line);
      }
      if (current != null) {
        out.append(
            String.format(
                "%n%6d  t=%dms  %s  <- under way", step + 1, clock.nanoTime() / MS, current));
      }
      out.append("\nreplay: -Dsim.seed=").append(seed);
    }
    return new Violation(invariant, step, out.toString());
  }
}
