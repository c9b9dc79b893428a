package io.deeplakelock.lock;

import static net.bytebuddy.matcher.ElementMatchers.isDeclaredBy;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.deeplakelock.bridge.DatasetLockException;
import io.deeplakelock.bridge.LockLostException;
import io.deeplakelock.bridge.LockMode;
import io.deeplakelock.bridge.LockTimeoutException;
import io.deeplakelock.rules.LockPolicy;
import io.deeplakelock.rules.RuleFile;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.asm.MemberSubstitution;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The five defects of issue 10, each reproduced against a real ZooKeeper server, named by the
 * behaviour that must hold. Each {@link LockService} here stands for one JVM: its own client and
 * session. Sessions are short (4 s, connection timeout 2 s) so that a test that waits for ZooKeeper
 * to give up still ends in a few seconds.
 *
 * <p>In an IT, {@link LockService} comes from the shaded jar: only its JDK-typed API is usable, so
 * these tests look at ZooKeeper through an inspector client of their own.
 */
class EngineDefectsIT {

  private static final long WAIT_SECONDS = LockHolder.WAIT_SECONDS;

  /** Invariant I4: every acquire returns or throws within its timeout plus this. */
  private static final long ACQUIRE_SLACK_MILLIS = 250;

  /**
   * How long a test waits for a call that ZooKeeper's absence may delay, to measure by how much.
   */
  private static final long SLOW_CALL_SECONDS = 30;

  private TestingServer server;
  private boolean serverStopped;
  private final List<LockService> services = new ArrayList<>();
  private final List<LockHolder> holders = new ArrayList<>();
  private CuratorFramework inspector;
  private String dataset;
  private String path;

  @BeforeEach
  void setUp(TestInfo test) throws Exception {
    // A server per test (some tests stop it); a short tick so that 4 s sessions are allowed.
    server =
        new TestingServer(
            new InstanceSpec(null, -1, -1, -1, true, -1, 500, -1, null, "127.0.0.1"), true);
    inspector =
        CuratorFrameworkFactory.newClient(
            server.getConnectString(), 10_000, 5_000, new RetryOneTime(100));
    inspector.start();
    assertTrue(inspector.blockUntilConnected((int) WAIT_SECONDS, TimeUnit.SECONDS));
    dataset = "/data/" + test.getTestMethod().orElseThrow().getName();
    path = LockPath.forDataset("/deeplake", dataset, Paths.get("/"));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (serverStopped) {
      server.restart(); // so that clients close their sessions at once
    }
    for (LockHolder h : holders) {
      h.stopAndJoin();
    }
    for (LockService s : services) {
      s.close();
    }
    inspector.close();
    server.close();
  }

  // ---- 1. a write node deleted during its first call -------------------------------------------

  /**
   * Thread A holds the write lock, thread B of the same JVM queues behind it; someone deletes A's
   * node and another JVM takes the lock. A must be told, and B must not run while the other JVM
   * holds the lock (I1, I2, I3).
   */
  @Test
  void writeNodeDeletedDuringItsFirstCallIsReportedAndNeverHandedOn() throws Exception {
    LockService jvm = jvm("0");
    LockService other = jvm("0");
    LockHolder first = hold(jvm, LockMode.WRITE, 10_000);
    first.awaitAcquired();
    LockHolder second = hold(jvm, LockMode.WRITE, 10_000);
    awaitTrue(() -> jvm.lock(path).waiters().size() == 1, "the second writer queues");

    deleteOnlyNode();
    LockHolder remote = hold(other, LockMode.WRITE, 10_000);
    remote.awaitAcquired();
    Throwable firstRelease = first.releaseAndAwaitOutcome();
    // Either the second writer is granted (wrongly, while the remote writer holds) or it queues a
    // node of its own behind the remote writer's.
    awaitTrue(
        () -> second.acquired.getCount() == 0 || second.failed.isDone() || children().size() >= 2,
        "the second writer is granted or queues a node");
    boolean grantedWhileRemoteHolds = second.acquired.getCount() == 0;
    remote.releaseAndJoin();
    second.awaitAcquired();
    second.releaseAndAwaitOutcome();

    // Grant order: first, remote, second (the remote was granted before the first released).
    assertAll(
        () ->
            assertInstanceOf(
                LockLostException.class,
                firstRelease,
                "the first writer's node was deleted during its call; its release must say so"),
        () ->
            assertFalse(
                grantedWhileRemoteHolds,
                "the second writer was granted (token "
                    + second.token
                    + ") while the remote writer held the lock (token "
                    + remote.token
                    + ")"),
        () ->
            assertTrue(
                first.token < remote.token && remote.token < second.token,
                "fencing tokens in grant order must strictly increase: first "
                    + first.token
                    + ", remote "
                    + remote.token
                    + ", second "
                    + second.token));
  }

  /** As above, with linger: the lost node must not be kept for the next local call. */
  @Test
  void writeNodeDeletedDuringItsFirstCallIsReportedAndNotKeptByLinger() throws Exception {
    LockService jvm = jvm("1s");
    LockService other = jvm("0");
    HeldLock held = jvm.lock(path).acquire(call(LockMode.WRITE, 2_000));
    long firstToken = held.info().token();

    deleteOnlyNode();
    LockHolder remote = hold(other, LockMode.WRITE, 10_000);
    remote.awaitAcquired();
    Throwable firstRelease = outcome(held::close);
    Object next = attempt(() -> jvm.lock(path).acquire(call(LockMode.WRITE, 500)));
    if (next instanceof HeldLock) {
      outcome(((HeldLock) next)::close);
    }
    remote.releaseAndJoin();

    assertAll(
        () ->
            assertInstanceOf(
                LockLostException.class,
                firstRelease,
                "the node (token " + firstToken + ") was deleted during the call"),
        () ->
            assertInstanceOf(
                LockTimeoutException.class,
                next,
                "the next local write must wait for the remote writer (token "
                    + remote.token
                    + "), not reuse the lost node; it got "
                    + describe(next)));
  }

  // ---- 2. a kept write node and a disconnection ------------------------------------------------

  /**
   * While SUSPENDED the session may already be expired on the server, with the lock held by another
   * process: a kept write node must not be reused (I2).
   */
  @Test
  void keptWriteNodeIsNotReusedWhileDisconnected() throws Exception {
    LockService jvm = jvm("1s");
    long token;
    try (HeldLock held = jvm.lock(path).acquire(call(LockMode.WRITE, 2_000))) {
      token = held.info().token();
    }
    assertEquals(1, children().size(), "the write node lingers");

    stopServer(jvm);
    long start = System.nanoTime();
    Object next = attempt(() -> jvm.lock(path).acquire(call(LockMode.WRITE, 500)));
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    String state = jvm.connectionState();
    if (next instanceof HeldLock) {
      server.restart();
      serverStopped = false;
      outcome(((HeldLock) next)::close);
    }

    assertInstanceOf(
        DatasetLockException.class,
        next,
        "a write call must not be granted while ZooKeeper is disconnected (state "
            + state
            + "); it got "
            + describe(next)
            + " after "
            + tookMillis
            + " ms, reusing the kept node (token "
            + token
            + ")");
  }

  // ---- 3. a release on an interrupted thread ---------------------------------------------------

  /**
   * I4: an interrupt flag never changes a release's outcome, and the flag is preserved.
   *
   * <p>The service talks to ZooKeeper through {@link SlowReplies}, so that no reply can reach the
   * releasing thread before it waits for it: with the flag set, that wait then fails every time,
   * however the threads are scheduled.
   */
  @Test
  void releaseOnInterruptedThreadIsPromptKeepsTheFlagAndReportsNoLoss() throws Exception {
    try (SlowReplies link = new SlowReplies(server.getPort(), 20)) {
      LockService jvm = jvm("0", link.connectString());
      CompletableFuture<Object[]> result = new CompletableFuture<>();
      Thread caller =
          new Thread(
              () -> {
                try {
                  HeldLock held = jvm.lock(path).acquire(call(LockMode.WRITE, 2_000));
                  Thread.currentThread().interrupt(); // as after Future.cancel(true)
                  long start = System.nanoTime();
                  Throwable thrown = outcome(held::close);
                  long took = System.nanoTime() - start;
                  boolean flag = Thread.interrupted();
                  result.complete(new Object[] {took, thrown, flag});
                } catch (Throwable t) {
                  result.completeExceptionally(t);
                }
              },
              "interrupted-caller");
      caller.setDaemon(true);
      caller.start();
      Object[] r = result.get(SLOW_CALL_SECONDS, TimeUnit.SECONDS);
      long tookMillis = TimeUnit.NANOSECONDS.toMillis((Long) r[0]);
      Throwable thrown = (Throwable) r[1];
      boolean flagKept = (Boolean) r[2];
      List<String> left = awaitNoChildren();

      assertAll(
          () ->
              assertTrue(
                  tookMillis <= 1_000,
                  "the release took " + tookMillis + " ms on a thread with its interrupt flag set"),
          () -> assertNull(thrown, "the lock was never lost, yet the release threw " + thrown),
          () -> assertTrue(flagKept, "the interrupt flag must be kept"),
          () -> assertTrue(left.isEmpty(), "the node must be gone; left: " + left));
    }
  }

  // ---- 4. timeouts when ZooKeeper goes away ----------------------------------------------------

  /** I4: a queued write acquire returns or throws within its timeout plus 250 ms. */
  @Test
  void queuedWriteAcquireKeepsItsTimeoutWhenZooKeeperGoesAway() throws Exception {
    LockService jvm = jvm("0");
    LockService other = jvm("0");
    LockHolder remote = hold(other, LockMode.WRITE, 10_000);
    remote.awaitAcquired();
    LockHolder waiter = hold(jvm, LockMode.WRITE, 1_000);
    awaitChildren(2);

    stopServer(jvm);
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(waiter.awaitAttempt(SLOW_CALL_SECONDS));

    assertTrue(
        tookMillis <= 1_000 + ACQUIRE_SLACK_MILLIS,
        "an acquire with a 1000 ms timeout took "
            + tookMillis
            + " ms when ZooKeeper went away; it "
            + (waiter.failed.isDone() ? "threw " + waiter.failed.getNow(null) : "was granted"));
  }

  /**
   * I4: a reader that must first remove this JVM's lingering write node keeps its timeout when
   * ZooKeeper is gone, and the JVM's other readers are not held up behind it.
   */
  @Test
  void readerBehindLingeringWriteNodeKeepsItsTimeoutWhenZooKeeperGoesAway() throws Exception {
    LockService jvm = jvm("1s");
    jvm.lock(path).acquire(call(LockMode.WRITE, 2_000)).close();
    assertEquals(1, children().size(), "the write node lingers");

    stopServer(jvm);
    LockHolder reader = hold(jvm, LockMode.READ, 500);
    awaitTrue(
        () ->
            jvm.lock(path).waiters().contains(reader.getName()) || reader.attempted.getCount() == 0,
        "the reader is waiting");
    LockHolder otherReader = hold(jvm, LockMode.READ, 500);
    long readerMillis = TimeUnit.NANOSECONDS.toMillis(reader.awaitAttempt(SLOW_CALL_SECONDS));
    long otherMillis = TimeUnit.NANOSECONDS.toMillis(otherReader.awaitAttempt(SLOW_CALL_SECONDS));

    assertAll(
        () ->
            assertTrue(
                readerMillis <= 500 + ACQUIRE_SLACK_MILLIS,
                "a read acquire with a 500 ms timeout took " + readerMillis + " ms"),
        () ->
            assertTrue(
                otherMillis <= 500 + ACQUIRE_SLACK_MILLIS,
                "another reader with a 500 ms timeout, behind it, took " + otherMillis + " ms"));
  }

  // ---- 5. a node handed to a writer that gave up -----------------------------------------------

  /**
   * I5: a write node handed to a local writer that then gave up is released in bounded time, so a
   * remote writer gets the lock.
   *
   * <p>The old engine loses the wake-up only when its timer thread pauses in {@code
   * DatasetLock.checkUnclaimed} between reading the node's state and clearing {@code
   * passCheckScheduled}, and the writer the node is passed to gives up between {@code keep}'s look
   * at the writer queue and the hand-off. {@link Hooks} holds both threads there, put in with
   * ByteBuddy for this test only. On an engine without those methods the hooks match nothing, and
   * the test still checks the same behaviour without forcing that interleaving.
   */
  @Test
  void nodeHandedToAWriterThatGaveUpIsReleasedForARemoteWriter() throws Exception {
    ResettableClassFileTransformer hooks = Hooks.install();
    try {
      LockService jvm = jvm("1s");
      LockService other = jvm("0");

      // W1 hands its node to W2; the timer's hand-off check then finds it lingering and pauses.
      LockHolder w1 = hold(jvm, LockMode.WRITE, 10_000);
      w1.awaitAcquired();
      LockHolder w2 = hold(jvm, LockMode.WRITE, 10_000);
      awaitTrue(() -> jvm.lock(path).waiters().size() == 1, "W2 queues");
      CountDownLatch timerPaused = Hooks.pauseTimerAtClear();
      w1.releaseAndJoin();
      w2.awaitAcquired();
      w2.releaseAndJoin();
      boolean forced = timerPaused.await(2, TimeUnit.SECONDS);

      // W3 takes the node; W4 queues behind it and gives up just as W3 hands the node to it.
      LockHolder w3 = hold(jvm, LockMode.WRITE, 10_000);
      w3.awaitAcquired();
      LockHolder w4 = hold(jvm, LockMode.WRITE, 500);
      awaitTrue(() -> jvm.lock(path).waiters().size() == 1, "W4 queues");
      if (forced) {
        Hooks.holdHandOffUntilGivenUp(w4.failed);
      }
      w3.releaseAndJoin();
      w4.awaitAttempt(WAIT_SECONDS);
      if (w4.acquired.getCount() == 0) {
        w4.releaseAndJoin(); // not forced: the node was handed to W4, which took it
      }
      Hooks.resumeTimer();

      long timeoutMillis = 3_000; // the linger (1 s) plus a hand-off bound
      LockHolder remote = hold(other, LockMode.WRITE, timeoutMillis);
      remote.awaitAttempt(WAIT_SECONDS);
      String kept = jvm.lock(path).holders().toString();
      if (remote.acquired.getCount() == 0) {
        remote.releaseAndJoin();
      }

      assertEquals(
          0,
          remote.acquired.getCount(),
          "a remote writer waited "
              + TimeUnit.NANOSECONDS.toMillis(remote.acquireNanos)
              + " ms and got "
              + remote.failed.getNow(null)
              + "; this JVM keeps "
              + kept
              + (forced ? " (interleaving forced)" : " (interleaving not forced)"));
    } finally {
      Hooks.disarm();
      hooks.reset(Hooks.instrumentation, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
    }
  }

  /**
   * Test-only pauses inside the old engine's {@code DatasetLock}, installed by retransformation:
   * calls of {@code AtomicBoolean.set} in {@code checkUnclaimed} and of {@code
   * ReentrantLock.hasQueuedThreads} in {@code keep} are redirected here. Disarmed, each hook does
   * exactly what the call it replaces did.
   */
  public static final class Hooks {

    static Instrumentation instrumentation;

    private static volatile CountDownLatch timerPaused;
    private static volatile CountDownLatch timerResume = new CountDownLatch(0);
    private static volatile CompletableFuture<Throwable> writerGaveUp;

    private Hooks() {}

    static ResettableClassFileTransformer install() {
      instrumentation = ByteBuddyAgent.install();
      List<Throwable> errors = new ArrayList<>();
      ResettableClassFileTransformer transformer =
          new AgentBuilder.Default()
              .disableClassFormatChanges()
              .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
              .with(
                  new AgentBuilder.Listener.Adapter() {
                    @Override
                    public void onError(
                        String typeName,
                        ClassLoader loader,
                        JavaModule module,
                        boolean loaded,
                        Throwable throwable) {
                      errors.add(throwable);
                    }
                  })
              .type(named(DatasetLock.class.getName()))
              .transform(Hooks::redirect)
              .installOn(instrumentation);
      assertTrue(errors.isEmpty(), () -> "hooking DatasetLock failed: " + errors);
      return transformer;
    }

    private static DynamicType.Builder<?> redirect(
        DynamicType.Builder<?> builder,
        TypeDescription type,
        ClassLoader loader,
        JavaModule module,
        java.security.ProtectionDomain domain) {
      try {
        return builder
            .visit(
                MemberSubstitution.relaxed()
                    .method(named("set").and(isDeclaredBy(AtomicBoolean.class)))
                    .replaceWith(
                        Hooks.class.getMethod("setFlag", AtomicBoolean.class, boolean.class))
                    .on(named("checkUnclaimed")))
            .visit(
                MemberSubstitution.relaxed()
                    .method(named("hasQueuedThreads").and(isDeclaredBy(ReentrantLock.class)))
                    .replaceWith(Hooks.class.getMethod("hasQueuedThreads", ReentrantLock.class))
                    .on(named("keep")));
      } catch (NoSuchMethodException e) {
        throw new IllegalStateException(e);
      }
    }

    /** Arms the timer pause; the latch opens once the timer is held before clearing the flag. */
    static CountDownLatch pauseTimerAtClear() {
      CountDownLatch paused = new CountDownLatch(1);
      timerResume = new CountDownLatch(1);
      timerPaused = paused;
      return paused;
    }

    /** Arms the hand-off hold: the next hand-off waits until the writer it sees has given up. */
    static void holdHandOffUntilGivenUp(CompletableFuture<Throwable> gaveUp) {
      writerGaveUp = gaveUp;
    }

    static void resumeTimer() {
      timerResume.countDown();
    }

    static void disarm() {
      timerPaused = null;
      writerGaveUp = null;
      timerResume.countDown();
    }

    /** Replaces {@code passCheckScheduled.set(false)} in {@code checkUnclaimed}. */
    public static void setFlag(AtomicBoolean flag, boolean value) {
      CountDownLatch paused = timerPaused;
      if (paused != null && !value) {
        timerPaused = null;
        paused.countDown();
        try {
          timerResume.await(SLOW_CALL_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      flag.set(value);
    }

    /** Replaces {@code writerGate.hasQueuedThreads()} in {@code keep}. */
    public static boolean hasQueuedThreads(ReentrantLock gate) {
      CompletableFuture<Throwable> gaveUp = writerGaveUp;
      if (gaveUp == null) {
        return gate.hasQueuedThreads();
      }
      writerGaveUp = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
      while (!gate.hasQueuedThreads() && System.nanoTime() < deadline) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // the writer is about to park
      }
      boolean queued = gate.hasQueuedThreads();
      try {
        gaveUp.get(WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (Exception e) {
        return queued; // it did not give up: hand the node on as usual
      }
      return queued;
    }
  }

  /**
   * A TCP relay to the ZooKeeper server that delivers everything the server sends a fixed time
   * late, as a distant ensemble would. Closing it cuts every relayed connection.
   */
  static final class SlowReplies implements AutoCloseable {

    private final int serverPort;
    private final long delayNanos;
    private final ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    SlowReplies(int serverPort, long delayMillis) throws IOException {
      this.serverPort = serverPort;
      this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
      this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      daemon("slow-replies-accept", this::accept);
    }

    String connectString() {
      return "127.0.0.1:" + listener.getLocalPort();
    }

    private void accept() {
      try {
        while (true) {
          Socket client = listener.accept();
          Socket server = new Socket(InetAddress.getLoopbackAddress(), serverPort);
          client.setTcpNoDelay(true);
          server.setTcpNoDelay(true);
          sockets.add(client);
          sockets.add(server);
          daemon("slow-replies-up", () -> relay(client, server, 0));
          daemon("slow-replies-down", () -> relay(server, client, delayNanos));
        }
      } catch (IOException e) {
        // closed
      }
    }

    /** Copies {@code from} to {@code to}, each chunk {@code delay} after it was read. */
    private void relay(Socket from, Socket to, long delay) {
      LinkedBlockingQueue<Object[]> chunks = new LinkedBlockingQueue<>();
      Thread writer =
          daemon(
              "slow-replies-write",
              () -> {
                try {
                  while (true) {
                    Object[] chunk = chunks.take();
                    if (chunk.length == 0) {
                      break;
                    }
                    long due = (Long) chunk[0];
                    for (long wait = due - System.nanoTime();
                        wait > 0;
                        wait = due - System.nanoTime()) {
                      LockSupport.parkNanos(wait); // the link's latency, not synchronisation
                    }
                    to.getOutputStream().write((byte[]) chunk[1]);
                  }
                } catch (IOException | InterruptedException e) {
                  // closed
                }
                closeQuietly(to);
              });
      try {
        byte[] buffer = new byte[64 * 1024];
        for (int n = from.getInputStream().read(buffer);
            n >= 0;
            n = from.getInputStream().read(buffer)) {
          chunks.add(new Object[] {System.nanoTime() + delay, Arrays.copyOf(buffer, n)});
        }
      } catch (IOException e) {
        // closed
      }
      chunks.add(new Object[0]);
      closeQuietly(from);
      writer.interrupt();
    }

    private static Thread daemon(String name, Runnable body) {
      Thread t = new Thread(body, name);
      t.setDaemon(true);
      t.start();
      return t;
    }

    private static void closeQuietly(Socket socket) {
      try {
        socket.close();
      } catch (IOException e) {
        // already closed
      }
    }

    @Override
    public void close() throws IOException {
      listener.close();
      for (Socket s : sockets) {
        closeQuietly(s);
      }
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private LockService jvm(String linger) throws Exception {
    return jvm(linger, server.getConnectString());
  }

  private LockService jvm(String linger, String connect) throws Exception {
    String yaml =
        """
        zookeeper:
          connect: "%s"
          sessionTimeout: 4s
          connectionTimeout: 2s
        locks:
          root: /deeplake
          timeout: 2s
          linger: %s
        rules:
          - name: test-rule
            class: com.example.Dataset
            methods: [append]
            lock: write
            dataset: arg0
        """
            .formatted(connect, linger);
    LockService service = LockService.start(RuleFile.parse("test.yaml", yaml, name -> null));
    services.add(service);
    awaitTrue(() -> service.connectionState().equals("CONNECTED"), "the service connects");
    return service;
  }

  /** Stops the server and waits until {@code jvm}'s client has seen the disconnection. */
  private void stopServer(LockService jvm) throws Exception {
    server.stop();
    serverStopped = true;
    awaitTrue(
        () -> !jvm.connectionState().equals("CONNECTED"), "the client sees the disconnection");
  }

  private LockCall call(LockMode mode, long timeoutMillis) {
    LockPolicy policy =
        new LockPolicy(timeoutMillis, LockPolicy.OnTimeout.FAIL, true, LockPolicy.OnLockLost.THROW);
    return new LockCall("test-rule", "Dataset.append", dataset, mode, policy);
  }

  private LockHolder hold(LockService service, LockMode mode, long timeoutMillis) {
    LockHolder h =
        LockHolder.start(service.lock(path), call(mode, timeoutMillis), "holder-" + holders.size());
    holders.add(h);
    return h;
  }

  /** Deletes the one node on the lock path, as an operator or a kazoo clean-up would. */
  private void deleteOnlyNode() throws Exception {
    List<String> nodes = children();
    assertEquals(1, nodes.size(), "one node on the path: " + nodes);
    inspector.delete().forPath(path + "/" + nodes.get(0));
  }

  private List<String> children() throws Exception {
    return LockNodes.children(inspector, path);
  }

  private void awaitChildren(int count) throws Exception {
    LockNodes.awaitChildren(inspector, path, count);
  }

  /** Waits (by watching the path) until it has no children; returns what is left on timeout. */
  private List<String> awaitNoChildren() throws Exception {
    try {
      awaitChildren(0);
    } catch (AssertionError e) {
      // reported by the caller with the names left
    }
    return children();
  }

  /** What {@code action} threw, or null. */
  private static Throwable outcome(ThrowingRunnable action) {
    try {
      action.run();
      return null;
    } catch (Throwable t) {
      return t;
    }
  }

  /** What {@code action} returned, or what it threw. */
  private static Object attempt(Callable<Object> action) {
    try {
      return action.call();
    } catch (Throwable t) {
      return t;
    }
  }

  private static String describe(Object outcome) {
    if (outcome instanceof HeldLock) {
      return "the lock, token " + ((HeldLock) outcome).info().token();
    }
    return String.valueOf(outcome);
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  /** Polls a condition that no event announces (state inside the lock), with a deadline. */
  private static void awaitTrue(Callable<Boolean> condition, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (!condition.call()) {
      if (System.nanoTime() > deadline) {
        fail(what + ": not reached in " + WAIT_SECONDS + " s");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
    }
  }
}
