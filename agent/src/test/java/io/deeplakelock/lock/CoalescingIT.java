package io.deeplakelock.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.Unshaded;
import io.deeplakelock.bridge.LockLostException;
import io.deeplakelock.bridge.LockMode;
import io.deeplakelock.bridge.LockTimeoutException;
import io.deeplakelock.bridge.LockUpgradeException;
import io.deeplakelock.rules.LockPolicy;
import io.deeplakelock.rules.RuleFile;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * How the guarded calls of one JVM share ZooKeeper nodes: one read node for all readers, one write
 * node handed from writer to writer, lingering, and the fairness and loss guards around them. Each
 * {@link LockService} here stands for one JVM: its own client and session.
 */
@Unshaded
class CoalescingIT {

  private static final long WAIT_SECONDS = LockHolder.WAIT_SECONDS;

  private static TestingServer server;

  private final List<LockService> services = new ArrayList<>();
  private final List<LockHolder> holders = new ArrayList<>();
  private CuratorFramework inspector;
  private String dataset;
  private String path;

  @BeforeAll
  static void startServer() throws Exception {
    server = new TestingServer();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @BeforeEach
  void setUp(TestInfo test) throws Exception {
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
    for (LockHolder h : holders) {
      h.stopAndJoin();
    }
    for (LockService s : services) {
      s.close();
    }
    inspector.close();
  }

  // ---- readers ----------------------------------------------------------------------------------

  @Test
  void readersOfOneJvmShareOneNodeAndTheLastOneOutRemovesIt() throws Exception {
    LockService jvm = jvm("0");
    List<LockHolder> readers = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      readers.add(hold(jvm, LockMode.READ));
    }
    for (LockHolder r : readers) {
      r.awaitAcquired();
    }

    assertEquals(1, children().size(), "six readers, one node");
    assertEquals(1, jvm.lock(path).stats().nodes());
    assertEquals(6, jvm.lock(path).stats().acquisitions());
    for (int i = 0; i < 5; i++) {
      readers.get(i).releaseAndJoin();
      assertEquals(1, children().size(), "a reader is still in");
    }
    readers.get(5).releaseAndJoin();
    assertEquals(0, children().size());
  }

  @Test
  void remoteWriterQueuedBehindSharedReadNodeStopsNewLocalReadersJoiningIt() throws Exception {
    LockService a = jvm("0");
    LockService b = jvm("0");
    LockHolder firstReader = hold(a, LockMode.READ);
    firstReader.awaitAcquired();
    LockHolder remoteWriter = hold(b, LockMode.WRITE);
    awaitChildren(2);
    // The queue watch closes A's read node to new joiners once the writer is behind it.
    awaitTrue(() -> a.lock(path).holders().toString().contains("closed to new readers"));

    LockHolder lateReader = hold(a, LockMode.READ);
    awaitChildren(3); // it queued a fresh node, behind the writer, rather than joining
    lateReader.assertStaysBlocked();
    remoteWriter.assertStaysBlocked();

    firstReader.releaseAndJoin();
    remoteWriter.awaitAcquired();
    lateReader.assertStaysBlocked();
    remoteWriter.releaseAndJoin();
    lateReader.awaitAcquired();
    lateReader.releaseAndJoin();
    assertEquals(0, children().size());
  }

  // ---- writers ----------------------------------------------------------------------------------

  @Test
  void localWritersQueueLocallyAndShareOneNode() throws Exception {
    LockService jvm = jvm("0");
    LockHolder first = hold(jvm, LockMode.WRITE);
    first.awaitAcquired();
    LockHolder second = hold(jvm, LockMode.WRITE);
    awaitTrue(() -> jvm.lock(path).waiters().size() == 1);

    second.assertStaysBlocked();
    assertEquals(1, children().size(), "only the head of the local queue holds a node");
    long token = first.token;
    first.releaseAndJoin();
    second.awaitAcquired();

    assertEquals(token, second.token, "the node was handed on, so is its fencing token");
    assertEquals(1, jvm.lock(path).stats().nodes());
    assertEquals(1, jvm.lock(path).stats().passes());
    second.releaseAndJoin();
    assertEquals(0, children().size());
  }

  @Test
  void localWritersPassTheNodeOnlyAFewTimesWhileAnotherProcessWaits() throws Exception {
    LockService a = jvm("0");
    LockService b = jvm("0");
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch callsInA = new CountDownLatch(20);
    List<Thread> busy = busyWriters(a, stop, callsInA);
    try {
      assertTrue(callsInA.await(WAIT_SECONDS, TimeUnit.SECONDS), "A's writers are busy");

      LockHolder remote = hold(b, LockMode.WRITE);
      remote.awaitAcquired();
      long passesWhileWaiting = a.lock(path).stats().contendedPasses();
      remote.releaseAndJoin();

      // Once A has seen B's node behind its own, A hands its node on a bounded number of times.
      assertTrue(
          passesWhileWaiting <= LockEngine.MAX_PASSES_WHILE_CONTENDED,
          "A passed its node " + passesWhileWaiting + " times while B waited");
      assertTrue(a.lock(path).stats().passes() > 0, "A's writers did hand their node on");
    } finally {
      stopAll(stop, busy);
    }
    awaitChildren(0);
  }

  /**
   * Where another process was seen lately, a writer takes a node of its own (as {@code coalesce:
   * false} does); a second local writer then waits to take that node over, rather than queue a
   * second node behind it (one create, one delete and a queue's reads fewer).
   */
  @Test
  void aLocalWriterTakesOverAnotherCallsOwnNode() throws Exception {
    LockService a = jvmWith("");
    LockService b = jvmWith("");
    seeAnotherProcess(a, b);
    LockHolder first = hold(a, LockMode.WRITE);
    first.awaitAcquired();
    assertEquals(1, a.lock(path).callsOwnNodes(), "the first writer took a node of its own");
    long nodesBefore = a.lock(path).stats().nodes();
    LockHolder second = hold(a, LockMode.WRITE);
    awaitTrue(() -> a.lock(path).waiters().size() == 1);

    second.assertStaysBlocked();
    assertEquals(1, children().size(), "the second writer waits for the first one's node");
    awaitTrue(() -> a.lock(path).nodesWatched() == 1); // handed over only once watched
    long token = first.token;
    first.releaseAndJoin();
    second.awaitAcquired();

    assertEquals(token, second.token, "the node was handed over, so is its fencing token");
    assertEquals(nodesBefore, a.lock(path).stats().nodes(), "no node was created for the second");
    assertEquals(1, a.lock(path).stats().passes());
    second.releaseAndJoin();
    assertEquals(0, children().size());
  }

  /**
   * A call's own node hears no queue, so once taken over it counts as contended: another process
   * queued behind it gets its turn after a bounded number of local hand-offs, however many local
   * writers keep coming.
   */
  @Test
  void aTakenOverNodeIsPassedOnlyAFewTimes() throws Exception {
    LockService a = jvmWith("");
    LockService b = jvmWith("");
    seeAnotherProcess(a, b);
    LockHolder first = hold(a, LockMode.WRITE);
    first.awaitAcquired();
    assertEquals(1, a.lock(path).callsOwnNodes(), "the first writer took a node of its own");
    LockHolder remote = hold(b, LockMode.WRITE);
    awaitChildren(2);
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> busy = busyWriters(a, stop, new CountDownLatch(0));
    try {
      awaitTrue(() -> a.lock(path).waiters().size() == 3);
      // Handed over only once the deletion watch the first local waiter asked for has answered.
      awaitTrue(() -> a.lock(path).nodesWatched() == 1);
      first.releaseAndJoin();
      remote.awaitAcquired();
      long passesWhileWaiting = a.lock(path).stats().contendedPasses();
      remote.releaseAndJoin();

      assertTrue(a.lock(path).stats().passes() > 0, "A's writers took the node over");
      assertTrue(
          passesWhileWaiting <= LockEngine.MAX_PASSES_WHILE_CONTENDED,
          "A passed its node " + passesWhileWaiting + " times while B waited");
    } finally {
      stopAll(stop, busy);
    }
    awaitChildren(0);
  }

  /**
   * A waiting call sleeps until what it waits for is decided: replies and requests that decide
   * nothing for it (other local calls arriving, their nodes' creates and listings) do not wake it.
   */
  @Test
  void waitingCallsWakeOnlyWhenTheirTurnComes() throws Exception {
    LockService a = jvm("0");
    LockService b = jvm("0");
    LockHolder remote = hold(b, LockMode.WRITE);
    remote.awaitAcquired();
    LockHolder writer = hold(a, LockMode.WRITE);
    awaitTrue(() -> !a.lock(path).blockers().isEmpty());
    List<LockHolder> readers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      readers.add(hold(a, LockMode.READ));
      int waiting = i + 2;
      awaitTrue(() -> a.lock(path).waiters().size() == waiting);
    }
    remote.releaseAndJoin();
    writer.awaitAcquired();
    writer.releaseAndJoin();
    for (LockHolder r : readers) {
      r.awaitAcquired();
    }
    for (LockHolder r : readers) {
      r.releaseAndJoin();
    }

    // Park may return without a signal now and then (its contract allows it), hence not 0.
    assertTrue(
        a.lock(path).needlessWakeups() <= 2,
        "waiting calls woke " + a.lock(path).needlessWakeups() + " times for nothing");
    awaitChildren(0);
  }

  /** Three daemon threads of {@code jvm} that write, call after call, until {@code stop}. */
  private List<Thread> busyWriters(LockService jvm, AtomicBoolean stop, CountDownLatch calls) {
    List<Thread> busy = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Thread t =
          new Thread(
              () -> {
                while (!stop.get()) {
                  jvm.lock(path).acquire(call(LockMode.WRITE, 30_000)).close(); // body: nothing
                  calls.countDown();
                }
              },
              "busy-writer-" + i);
      t.setDaemon(true);
      busy.add(t);
      t.start();
    }
    return busy;
  }

  private static void stopAll(AtomicBoolean stop, List<Thread> threads)
      throws InterruptedException {
    stop.set(true);
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
    }
  }

  /** A's writer queues behind B's, so that A has seen another process on the path lately. */
  private void seeAnotherProcess(LockService a, LockService b) throws Exception {
    LockHolder other = hold(b, LockMode.WRITE);
    other.awaitAcquired();
    LockHolder waiter = hold(a, LockMode.WRITE);
    // A's node on the server is not enough: until A's listing has put it behind B's, B's release
    // could come first, and A would never see B.
    awaitTrue(() -> !a.lock(path).blockers().isEmpty());
    other.releaseAndJoin();
    waiter.awaitAcquired();
    waiter.releaseAndJoin();
    awaitChildren(0);
  }

  @Test
  void writeAfterReadInOneJvmQueuesBehindItsReadersAndLaterReadersQueueBehindIt() throws Exception {
    LockService jvm = jvm("0");
    LockHolder reader = hold(jvm, LockMode.READ);
    reader.awaitAcquired();
    LockHolder writer = hold(jvm, LockMode.WRITE);
    awaitChildren(2);
    LockHolder lateReader = hold(jvm, LockMode.READ);

    writer.assertStaysBlocked();
    lateReader.assertStaysBlocked();
    reader.releaseAndJoin();
    writer.awaitAcquired();
    lateReader.assertStaysBlocked();
    writer.releaseAndJoin();
    lateReader.awaitAcquired();
    lateReader.releaseAndJoin();
    awaitChildren(0);
  }

  @Test
  void readInsideWriteReentersAndUpgradeIsRefused() throws Exception {
    LockService jvm = jvm("0");
    try (HeldLock write = jvm.lock(path).acquire(call(LockMode.WRITE, 2_000));
        HeldLock read = jvm.lock(path).acquire(call(LockMode.READ, 2_000))) {
      assertTrue(write.outermost());
      assertFalse(read.outermost());
      assertEquals(LockMode.WRITE, read.info().mode());
      assertEquals(1, children().size());
    }
    try (HeldLock read = jvm.lock(path).acquire(call(LockMode.READ, 2_000))) {
      assertEquals(LockMode.READ, read.info().mode());
      assertThrows(
          LockUpgradeException.class, () -> jvm.lock(path).acquire(call(LockMode.WRITE, 2_000)));
    }
    awaitChildren(0);
  }

  @Test
  void localWriterThatTimesOutLeavesNoNodeBehind() throws Exception {
    LockService jvm = jvm("0");
    LockHolder first = hold(jvm, LockMode.WRITE);
    first.awaitAcquired();
    LockHolder late = hold(jvm, LockMode.WRITE, 300);

    Throwable failure = late.awaitFailure();
    assertInstanceOf(LockTimeoutException.class, failure);
    assertTrue(failure.getMessage().contains("other thread(s) of this JVM"));
    first.releaseAndJoin();
    awaitChildren(0);
  }

  // ---- lingering --------------------------------------------------------------------------------

  @Test
  void lingeringWriteNodeIsReusedAndThenReleased() throws Exception {
    LockService jvm = jvm("300ms");
    long token;
    try (HeldLock held = jvm.lock(path).acquire(call(LockMode.WRITE, 2_000))) {
      token = held.info().token();
    }
    assertEquals(1, children().size(), "kept for the next local call");
    try (HeldLock held = jvm.lock(path).acquire(call(LockMode.WRITE, 2_000))) {
      assertEquals(token, held.info().token(), "the same node");
    }
    assertEquals(1, jvm.lock(path).stats().nodes());
    assertEquals(1, jvm.lock(path).stats().reused());
    awaitChildren(0); // released once the linger passed unused
  }

  @Test
  void lingeringWriteNodeGoesAtOnceWhenAnotherProcessQueues() throws Exception {
    LockService a = jvm("1s");
    LockService b = jvm("0");
    a.lock(path).acquire(call(LockMode.WRITE, 2_000)).close();
    assertEquals(1, children().size());

    long start = System.nanoTime();
    try (HeldLock held = b.lock(path).acquire(call(LockMode.WRITE, 5_000))) {
      assertTrue(held.outermost());
      long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(waitedMillis < 900, "waited " + waitedMillis + " ms, as if for the linger");
    }
    awaitChildren(0);
  }

  @Test
  void lingeringReadNodeIsReused() throws Exception {
    LockService jvm = jvm("300ms");
    jvm.lock(path).acquire(call(LockMode.READ, 2_000)).close();
    jvm.lock(path).acquire(call(LockMode.READ, 2_000)).close();
    assertEquals(1, jvm.lock(path).stats().nodes());
    awaitChildren(0);
  }

  @Test
  void lingeringNodeOfAnExpiredSessionIsNeverReused() throws Exception {
    LockService jvm = jvm("1s");
    long token;
    try (HeldLock held = jvm.lock(path).acquire(call(LockMode.WRITE, 2_000))) {
      token = held.info().token();
    }
    long oldSession = jvm.client().getZookeeperClient().getZooKeeper().getSessionId();
    CountDownLatch newSession = new CountDownLatch(1);
    jvm.client()
        .getConnectionStateListenable()
        .addListener(
            (client, state) -> {
              if (state == ConnectionState.RECONNECTED) {
                newSession.countDown(); // after LOST: the client runs in a new session
              }
            });
    LockNodes.expireSession(jvm, server.getConnectString());
    assertTrue(newSession.await(WAIT_SECONDS, TimeUnit.SECONDS));

    try (HeldLock held = jvm.lock(path).acquire(call(LockMode.WRITE, 5_000))) {
      assertTrue(held.info().token() > token, "a fresh node, not the dead session's");
      assertTrue(held.info().sessionId() != oldSession);
    }
    assertEquals(2, jvm.lock(path).stats().nodes());
  }

  // ---- lost locks -------------------------------------------------------------------------------

  @Test
  void sharedReadNodeDeletedUnderItsReadersIsReportedByEach() throws Exception {
    LockService jvm = jvm("0");
    LockHolder first = hold(jvm, LockMode.READ);
    LockHolder second = hold(jvm, LockMode.READ);
    first.awaitAcquired();
    second.awaitAcquired();
    assertEquals(1, children().size());

    inspector.delete().forPath(path + "/" + children().get(0));
    awaitTrue(() -> jvm.lock(path).holders().toString().contains("lost"));

    assertInstanceOf(LockLostException.class, first.releaseAndAwaitOutcome());
    assertInstanceOf(LockLostException.class, second.releaseAndAwaitOutcome());
    assertEquals(2, jvm.lostLocks());
  }

  @Test
  void handedOnWriteNodeOfAKilledSessionIsReportedLost() throws Exception {
    LockService jvm = jvm("1s");
    HeldLock held = jvm.lock(path).acquire(call(LockMode.WRITE, 2_000));
    LockNodes.expireSession(jvm, server.getConnectString());
    awaitChildren(0);

    assertThrows(LockLostException.class, held::close);
    assertEquals(1, jvm.lostLocks());
    awaitTrue(() -> jvm.lock(path).holders().isEmpty());
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private LockService jvm(String linger) throws Exception {
    return jvmWith("linger: " + linger);
  }

  /** A JVM whose rules file has {@code tuning} (one line) in its {@code locks} section. */
  private LockService jvmWith(String tuning) throws Exception {
    String yaml =
        """
        zookeeper:
          connect: "%s"
          sessionTimeout: 10s
          connectionTimeout: 5s
        locks:
          root: /deeplake
          timeout: 2s
          %s
        rules:
          - name: test-rule
            class: com.example.Dataset
            methods: [append]
            lock: write
            dataset: arg0
        """
            .formatted(server.getConnectString(), tuning);
    LockService service = LockService.start(RuleFile.parse("test.yaml", yaml, name -> null));
    services.add(service);
    assertTrue(service.client().blockUntilConnected((int) WAIT_SECONDS, TimeUnit.SECONDS));
    return service;
  }

  // ---- what ZooKeeper is asked ----------------------------------------------------------------

  /**
   * A call with a node of its own ({@code coalesce: false}, as the default takes where other
   * processes were seen lately) that queues behind another process's node sends the five requests
   * of Curator's waiter: its create, a listing, a read of the node ahead that leaves a watch on it,
   * a listing when that node goes, and its delete. That read also tells who holds the node ahead,
   * for the message of a call that times out: no second read for that. Counted by the server, on
   * the caller's session.
   */
  @Test
  void aCallQueuedBehindAnotherProcessSendsCuratorsFiveRequests() throws Exception {
    LockService a = jvmWith("coalesce: false");
    LockService b = jvmWith("coalesce: false");
    LockHolder first = hold(a, LockMode.WRITE);
    first.awaitAcquired();
    long before = LockNodes.packetsReceived(b);
    LockHolder second = hold(b, LockMode.WRITE);
    awaitChildren(2);
    second.assertStaysBlocked();
    first.releaseAndJoin();
    second.awaitAcquired();
    second.releaseAndJoin(); // its call waits for the delete's answer
    assertEquals(5, LockNodes.packetsReceived(b) - before, "requests of b's queued call");
  }

  /**
   * An uncontended call with a node of its own sends Curator's three requests: its create, the
   * listing sent right behind it (which shows the node, as the server applies a session's requests
   * in order; had it not, the engine would list again), and its delete.
   */
  @Test
  void anUncontendedCallOfItsOwnSendsThreeRequests() throws Exception {
    LockService a = jvmWith("coalesce: false");
    LockHolder first = hold(a, LockMode.WRITE); // the lock path's parents exist from now on
    first.awaitAcquired();
    first.releaseAndJoin();
    long before = LockNodes.packetsReceived(a);
    LockHolder only = hold(a, LockMode.WRITE);
    only.awaitAcquired();
    only.releaseAndJoin(); // its call waits for the delete's answer
    assertEquals(3, LockNodes.packetsReceived(a) - before, "requests of a's uncontended call");
  }

  private LockCall call(LockMode mode, long timeoutMillis) {
    LockPolicy policy =
        new LockPolicy(timeoutMillis, LockPolicy.OnTimeout.FAIL, true, LockPolicy.OnLockLost.THROW);
    return new LockCall("test-rule", "Dataset.append", dataset, mode, policy);
  }

  private LockHolder hold(LockService service, LockMode mode) {
    return hold(service, mode, 10_000);
  }

  private LockHolder hold(LockService service, LockMode mode, long timeoutMillis) {
    LockHolder h =
        LockHolder.start(service.lock(path), call(mode, timeoutMillis), "holder-" + holders.size());
    holders.add(h);
    return h;
  }

  private List<String> children() throws Exception {
    return LockNodes.children(inspector, path);
  }

  private void awaitChildren(int count) throws Exception {
    LockNodes.awaitChildren(inspector, path, count);
  }

  /** Polls a condition that no event announces (state inside the lock), with a deadline. */
  private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
    LockNodes.awaitTrue("condition not reached in " + WAIT_SECONDS + " s", condition);
  }
}
