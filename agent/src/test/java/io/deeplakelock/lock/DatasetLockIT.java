package io.deeplakelock.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.Unshaded;
import io.deeplakelock.bridge.DatasetLockException;
import io.deeplakelock.bridge.LockLostException;
import io.deeplakelock.bridge.LockMode;
import io.deeplakelock.bridge.LockTimeoutException;
import io.deeplakelock.bridge.LockUpgradeException;
import io.deeplakelock.rules.AgentConfig;
import io.deeplakelock.rules.LockPolicy;
import io.deeplakelock.rules.Rule;
import io.deeplakelock.rules.RuleFile;
import io.deeplakelock.rules.RuleFileException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Integration tests (against a ZooKeeper of their own) for {@link DatasetLock} with one node per
 * call (coalescing off), against an in-process ZooKeeper server.
 */
@Unshaded
class DatasetLockIT {

  /** kazoo's contender pattern ({@code kazoo/recipe/lock.py}). */
  private static final Pattern KAZOO_CONTENDER =
      Pattern.compile("(?:__lock__|__rlock__)(-?\\d{10})$");

  private static final long WAIT_SECONDS = LockHolder.WAIT_SECONDS;

  private static TestingServer server;

  private final List<LockHolder> contenders = new ArrayList<>();
  private LockService service;
  private Rule ruleFromConfig;
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
    service = start("kazoo", "throw");
  }

  @AfterEach
  void tearDown() throws Exception {
    for (LockHolder c : contenders) {
      c.stopAndJoin();
    }
    if (service != null) {
      service.close();
    }
    inspector.close();
  }

  // ---- exclusion ----------------------------------------------------------------------------

  @Test
  void writeLockBlocksSecondWriterUntilReleased() throws Exception {
    HeldLock held = lock().acquire(call(LockMode.WRITE, 10_000));
    LockHolder second = contender(LockMode.WRITE, 10_000);

    awaitChildren(2);
    second.assertStaysBlocked();
    held.close();

    second.awaitAcquired();
    assertEquals(1, children().size());
    second.releaseAndJoin();
    assertEquals(0, children().size());
  }

  @Test
  void readersShareTheLock() throws Exception {
    HeldLock held = lock().acquire(call(LockMode.READ, 10_000));
    LockHolder reader = contender(LockMode.READ, 10_000);

    reader.awaitAcquired();
    assertEquals(2, children().size());

    reader.releaseAndJoin();
    held.close();
    assertEquals(0, children().size());
  }

  @Test
  void readLockBlocksWriter() throws Exception {
    HeldLock held = lock().acquire(call(LockMode.READ, 10_000));
    LockHolder writer = contender(LockMode.WRITE, 10_000);

    awaitChildren(2);
    writer.assertStaysBlocked();
    held.close();

    writer.awaitAcquired();
    writer.releaseAndJoin();
  }

  @Test
  void queuedWriterBlocksLaterReader() throws Exception {
    HeldLock held = lock().acquire(call(LockMode.READ, 10_000));
    LockHolder writer = contender(LockMode.WRITE, 10_000);
    awaitChildren(2);
    LockHolder reader = contender(LockMode.READ, 10_000);
    awaitChildren(3);

    // The reader would share with the holder, but a writer queued before it: it must wait.
    reader.assertStaysBlocked();
    held.close();
    writer.awaitAcquired();
    reader.assertStaysBlocked();
    writer.releaseAndJoin();

    reader.awaitAcquired();
    reader.releaseAndJoin();
    assertEquals(0, children().size());
  }

  // ---- reentrancy ---------------------------------------------------------------------------

  @Test
  void writeInsideWriteReentersWithOneNode() throws Exception {
    HeldLock outer = lock().acquire(call(LockMode.WRITE, 2_000));
    HeldLock inner = lock().acquire(call(LockMode.WRITE, 2_000));

    assertTrue(outer.outermost());
    assertFalse(inner.outermost());
    assertEquals(1, children().size());
    inner.close();
    assertEquals(1, children().size());
    outer.close();
    assertEquals(0, children().size());
  }

  @Test
  void readInsideReadReentersWithOneNode() throws Exception {
    HeldLock outer = lock().acquire(call(LockMode.READ, 2_000));
    HeldLock inner = lock().acquire(call(LockMode.READ, 2_000));

    assertEquals(1, children().size());
    inner.close();
    assertEquals(1, children().size());
    outer.close();
    assertEquals(0, children().size());
  }

  @Test
  void readInsideWriteReentersAndReportsTheWriteNode() throws Exception {
    HeldLock outer = lock().acquire(call(LockMode.WRITE, 2_000));
    HeldLock inner = lock().acquire(call(LockMode.READ, 2_000));

    List<String> nodes = children();
    assertEquals(1, nodes.size());
    assertTrue(nodes.get(0).contains("__lock__"), nodes.get(0));
    assertEquals(LockMode.WRITE, inner.info().mode());
    assertEquals(outer.info().token(), inner.info().token());
    inner.close();
    outer.close();
    assertEquals(0, children().size());
  }

  @Test
  void closingOneHoldTwiceReleasesItOnce() throws Exception {
    HeldLock outer = lock().acquire(call(LockMode.WRITE, 2_000));
    HeldLock inner = lock().acquire(call(LockMode.WRITE, 2_000));

    inner.close();
    inner.close();

    assertEquals(1, children().size());
    outer.close();
    outer.close();
    assertEquals(0, children().size());
  }

  @Test
  void upgradeFromReadToWriteFailsAtOnce() throws Exception {
    HeldLock read = lock().acquire(call(LockMode.READ, 30_000));
    long start = System.nanoTime();

    LockUpgradeException e =
        assertThrows(
            LockUpgradeException.class, () -> lock().acquire(call(LockMode.WRITE, 30_000)));

    assertTrue(
        System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "must not wait for the timeout");
    assertTrue(e.getMessage().contains(dataset), e.getMessage());
    assertTrue(e.getMessage().contains("can never be upgraded"), e.getMessage());
    assertEquals(1, children().size());
    read.close();
    assertEquals(0, children().size());
  }

  @Test
  void sameLockObjectForOnePath() {
    assertSame(service.lock(path), service.lock(path));
    assertEquals(path, service.lock(path).path());
  }

  // ---- timeouts and interrupts --------------------------------------------------------------

  @Test
  void timeoutNamesDatasetPathModeAndWaitAndLeavesNoNode() throws Exception {
    HeldLock held = lock().acquire(call(LockMode.WRITE, 10_000));
    LockHolder late = contender(LockMode.WRITE, 500);

    Throwable failure = late.awaitFailure();

    LockTimeoutException e = assertInstanceOf(LockTimeoutException.class, failure);
    String message = e.getMessage();
    assertTrue(message.startsWith("timed out after "), message);
    assertTrue(message.contains(" ms waiting for the write lock"), message);
    assertTrue(message.contains("dataset '" + dataset + "'"), message);
    assertTrue(message.contains("lock path " + path), message);
    assertTrue(message.contains("rule 'test-rule'"), message);
    // The holder is named from its node's data.
    assertTrue(message.contains("thread " + Thread.currentThread().getName()), message);
    assertTrue(message.endsWith("The call was not run."), message);
    long waited = Long.parseLong(message.substring("timed out after ".length()).split(" ")[0]);
    assertTrue(waited >= 500 && waited < 5_000, message);
    assertEquals(1, children().size(), "the timed-out contender's node must be gone");
    held.close();
    assertEquals(0, children().size());
  }

  @Test
  void interruptWhileWaitingFailsKeepsTheFlagAndLeavesNoNode() throws Exception {
    HeldLock held = lock().acquire(call(LockMode.WRITE, 30_000));
    LockHolder waiting = contender(LockMode.WRITE, 30_000);
    awaitChildren(2);

    waiting.interrupt();
    Throwable failure = waiting.awaitFailure();

    assertInstanceOf(DatasetLockException.class, failure);
    assertFalse(failure instanceof LockTimeoutException, failure.toString());
    assertTrue(failure.getMessage().startsWith("interrupted while waiting for the write lock"));
    assertTrue(waiting.interruptedAfterFailure, "the interrupt status must be kept");
    // Deleting with the interrupt status set may complete in Curator's background retry.
    awaitChildren(1);
    held.close();
    assertEquals(0, children().size());
  }

  @Test
  void waitingTimeIsCounted() throws Exception {
    long before = service.totalWaitNanos();
    HeldLock held = lock().acquire(call(LockMode.WRITE, 10_000));
    LockHolder second = contender(LockMode.WRITE, 10_000);
    awaitChildren(2);
    second.assertStaysBlocked();
    held.close();
    second.awaitAcquired();
    second.releaseAndJoin();

    assertTrue(
        service.totalWaitNanos() - before
            >= TimeUnit.MILLISECONDS.toNanos(LockHolder.STAYS_BLOCKED_MILLIS));
  }

  // ---- nodes in ZooKeeper -------------------------------------------------------------------

  @Test
  void releaseRemovesTheNode() throws Exception {
    HeldLock held = lock().acquire(call(LockMode.WRITE, 2_000));
    assertEquals(1, children().size());

    held.close();

    assertEquals(0, children().size());
    assertNotNull(inspector.checkExists().forPath(path), "the lock path itself stays");
  }

  @Test
  void kazooProtocolNamesNodesLikeKazooUnderAPersistentParent() throws Exception {
    HeldLock write = lock().acquire(call(LockMode.WRITE, 2_000));
    String writeNode = children().get(0);
    assertTrue(KAZOO_CONTENDER.matcher(writeNode).find(), writeNode);
    assertTrue(writeNode.matches(".*__lock__\\d{10}"), writeNode);
    write.close();

    HeldLock read = lock().acquire(call(LockMode.READ, 2_000));
    String readNode = children().get(0);
    assertTrue(readNode.matches(".*__rlock__\\d{10}"), readNode);
    Stat node = inspector.checkExists().forPath(path + "/" + readNode);
    assertEquals(
        service.client().getZookeeperClient().getZooKeeper().getSessionId(),
        node.getEphemeralOwner(),
        "lock nodes are ephemeral nodes of our session");
    read.close();

    // PERSISTENT, not a container: ZooKeeper would reap an empty container, which breaks kazoo
    // lock objects that cached the parent.
    assertEquals(0, inspector.checkExists().forPath(path).getEphemeralOwner());
    assertEquals(0, inspector.checkExists().forPath("/deeplake").getEphemeralOwner());
  }

  @Test
  void curatorProtocolNamesNodesLikeCurator() throws Exception {
    service.close();
    service = start("curator", "throw");

    HeldLock write = lock().acquire(call(LockMode.WRITE, 2_000));
    assertTrue(children().get(0).matches("_c_[0-9a-f-]{36}-__WRIT__\\d{10}"), children().get(0));
    write.close();
    HeldLock read = lock().acquire(call(LockMode.READ, 2_000));
    assertTrue(children().get(0).matches("_c_[0-9a-f-]{36}-__READ__\\d{10}"), children().get(0));
    read.close();
    assertEquals(0, inspector.checkExists().forPath(path).getEphemeralOwner());
  }

  @Test
  void nodeDataNamesTheHolder() throws Exception {
    HeldLock held = lock().acquire(call(LockMode.WRITE, 2_000));

    String data =
        new String(
            inspector.getData().forPath(path + "/" + children().get(0)), StandardCharsets.UTF_8);

    assertTrue(data.startsWith("deeplake-lock "), data);
    assertTrue(data.endsWith(" thread " + Thread.currentThread().getName()), data);
    held.close();
  }

  @Test
  void fencingTokenIsTheNodeCzxidAndGrowsWithEachHolder() throws Exception {
    HeldLock first = lock().acquire(call(LockMode.WRITE, 2_000));
    Stat stat = inspector.checkExists().forPath(path + "/" + children().get(0));
    long firstToken = first.info().token();
    assertEquals(stat.getCzxid(), firstToken);
    assertEquals(path, first.info().lockPath());
    assertEquals(dataset, first.info().dataset());
    assertEquals(first.info().toString(), service.current().toString());
    first.close();
    assertNull(service.current());

    HeldLock second = lock().acquire(call(LockMode.WRITE, 2_000));

    assertTrue(second.info().token() > firstToken);
    second.close();
  }

  @Test
  void namespaceIsAChrootForEveryNode() throws Exception {
    service.close();
    service = start(config("kazoo", "throw", "  namespace: team\n"));

    HeldLock held = lock().acquire(call(LockMode.WRITE, 2_000));

    assertEquals(1, inspector.getChildren().forPath("/team" + path).size());
    held.close();
  }

  // ---- lost locks ---------------------------------------------------------------------------

  @Test
  void nodeDeletedUnderHolderMakesReleaseThrowLockLost() throws Exception {
    HeldLock held = lock().acquire(call(LockMode.WRITE, 2_000));
    inspector.delete().forPath(path + "/" + children().get(0));

    LockLostException e = assertThrows(LockLostException.class, held::close);

    assertTrue(e.getMessage().contains("its lock node was deleted"), e.getMessage());
    assertTrue(e.getMessage().contains(dataset), e.getMessage());
    assertEquals(1, service.lostLocks());
    // The thread no longer holds anything: the next acquire queues a fresh node.
    HeldLock again = lock().acquire(call(LockMode.WRITE, 2_000));
    assertTrue(again.outermost());
    again.close();
  }

  @Test
  void nodeDeletedUnderHolderIsOnlyLoggedWithPolicyLog() throws Exception {
    service.close();
    service = start("kazoo", "log");
    LockPolicy policy = ruleFromConfig.policy();
    assertEquals(LockPolicy.OnLockLost.LOG, policy.onLockLost());
    HeldLock held =
        lock()
            .acquire(new LockCall("test-rule", "Dataset.append", dataset, LockMode.WRITE, policy));
    inspector.delete().forPath(path + "/" + children().get(0));

    held.close();

    assertEquals(1, service.lostLocks());
  }

  @Test
  void sessionKilledByServerMakesReleaseThrowLockLost() throws Exception {
    HeldLock held = lock().acquire(call(LockMode.WRITE, 2_000));
    LockNodes.expireSession(service, server.getConnectString());
    awaitChildren(0);

    assertThrows(LockLostException.class, held::close);
    assertEquals(1, service.lostLocks());
  }

  // ---- other clients on the same path -------------------------------------------------------

  @Test
  void kazooStyleWriterExcludesOurWriterUntilItsNodeIsGone() throws Exception {
    String foreign = kazooNode("__lock__");

    LockTimeoutException e =
        assertThrows(LockTimeoutException.class, () -> lock().acquire(call(LockMode.WRITE, 500)));
    assertTrue(e.getMessage().contains("queued behind " + foreign), e.getMessage());
    assertEquals(1, children().size());

    LockHolder ours = contender(LockMode.WRITE, 10_000);
    awaitChildren(2);
    ours.assertStaysBlocked();
    inspector.delete().forPath(foreign);

    ours.awaitAcquired();
    ours.releaseAndJoin();
  }

  @Test
  void kazooStyleWriterBlocksOurReaderButKazooStyleReaderDoesNot() throws Exception {
    String reader = kazooNode("__rlock__");
    HeldLock read = lock().acquire(call(LockMode.READ, 2_000));
    read.close();
    assertThrows(LockTimeoutException.class, () -> lock().acquire(call(LockMode.WRITE, 300)));
    inspector.delete().forPath(reader);

    kazooNode("__lock__");
    assertThrows(LockTimeoutException.class, () -> lock().acquire(call(LockMode.READ, 300)));
  }

  @Test
  void ourWriterQueuesAheadOfLaterKazooStyleWriter() throws Exception {
    HeldLock held = lock().acquire(call(LockMode.WRITE, 2_000));
    String later = kazooNode("__lock__");

    // The foreign node sorts after ours by its sequence, so kazoo would wait on ours.
    List<String> nodes = children();
    Collections.sort(nodes, (a, b) -> sequence(a).compareTo(sequence(b)));
    assertEquals(later.substring(later.lastIndexOf('/') + 1), nodes.get(1));
    held.close();
  }

  @Test
  void childrenThatAreNoContendersAreIgnored() throws Exception {
    inspector
        .create()
        .creatingParentsIfNeeded()
        .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
        .forPath(path + "/lease-");
    inspector.create().forPath(path + "/notes", new byte[0]);

    HeldLock held = lock().acquire(call(LockMode.WRITE, 500));

    held.close();
  }

  @Test
  void curatorWriteLockAndOursExcludeEachOther() throws Exception {
    service.close();
    service = start("curator", "throw");
    InterProcessMutex theirs = new InterProcessReadWriteLock(inspector, path).writeLock();

    assertTrue(theirs.acquire(WAIT_SECONDS, TimeUnit.SECONDS));
    assertThrows(LockTimeoutException.class, () -> lock().acquire(call(LockMode.WRITE, 300)));
    theirs.release();

    HeldLock ours = lock().acquire(call(LockMode.WRITE, 2_000));
    CompletableFuture<Boolean> attempt =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return theirs.acquire(300, TimeUnit.MILLISECONDS);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    assertFalse(attempt.get(WAIT_SECONDS, TimeUnit.SECONDS));
    ours.close();
  }

  // ---- helpers ------------------------------------------------------------------------------

  private LockService start(String protocol, String onLockLost) throws Exception {
    return start(config(protocol, onLockLost, ""));
  }

  private LockService start(AgentConfig config) throws Exception {
    ruleFromConfig = config.rules().get(0);
    LockService started = LockService.start(config);
    assertTrue(started.client().blockUntilConnected((int) WAIT_SECONDS, TimeUnit.SECONDS));
    return started;
  }

  private AgentConfig config(String protocol, String onLockLost, String zookeeperExtra)
      throws RuleFileException {
    String yaml =
        """
        zookeeper:
          connect: "%s"
          sessionTimeout: 10s
          connectionTimeout: 5s
        %slocks:
          root: /deeplake
          timeout: 2s
          protocol: %s
          onLockLost: %s
          # One node per call: these tests pin the ZooKeeper protocol of each node.
          # CoalescingIT covers how calls of one JVM share nodes.
          coalesce: false
        rules:
          - name: test-rule
            class: com.example.Dataset
            methods: [append]
            lock: write
            dataset: arg0
        """
            .formatted(server.getConnectString(), zookeeperExtra, protocol, onLockLost);
    return RuleFile.parse("test.yaml", yaml, name -> null);
  }

  private DatasetLock lock() {
    return service.lock(path);
  }

  private LockCall call(LockMode mode, long timeoutMillis) {
    LockPolicy policy =
        new LockPolicy(
            timeoutMillis, LockPolicy.OnTimeout.FAIL, true, ruleFromConfig.policy().onLockLost());
    return new LockCall("test-rule", "Dataset.append", dataset, mode, policy);
  }

  private LockHolder contender(LockMode mode, long timeoutMillis) {
    LockHolder c =
        LockHolder.start(lock(), call(mode, timeoutMillis), "contender-" + contenders.size());
    contenders.add(c);
    return c;
  }

  private List<String> children() throws Exception {
    return LockNodes.children(inspector, path);
  }

  private void awaitChildren(int count) throws Exception {
    LockNodes.awaitChildren(inspector, path, count);
  }

  /** Creates a node the way kazoo does: {@code <32 hex>__lock__<seq>}, ephemeral sequential. */
  private String kazooNode(String marker) throws Exception {
    String uuid = UUID.randomUUID().toString().replace("-", "");
    return inspector
        .create()
        .creatingParentsIfNeeded()
        .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
        .forPath(path + "/" + uuid + marker);
  }

  private static String sequence(String node) {
    return node.substring(node.length() - 10);
  }

  @Test
  void acquireWithVeryLongTimeoutWaitsForZooKeeper() throws Exception {
    // 600 h does not fit an int of milliseconds; the wait must not overflow into "no wait".
    String yaml =
        "zookeeper:\n  connect: 127.0.0.1:1\n  connectionTimeout: 1s\nrules:\n"
            + "  - {name: r, class: com.example.Dataset, methods: [append], lock: write,"
            + " dataset: arg0}\n";
    try (LockService unreachable = LockService.start(RuleFile.parse("t.yaml", yaml, n -> null))) {
      LockPolicy policy =
          new LockPolicy(
              TimeUnit.HOURS.toMillis(600),
              LockPolicy.OnTimeout.FAIL,
              true,
              LockPolicy.OnLockLost.THROW);
      LockCall longWait = new LockCall("r", "Dataset.append", dataset, LockMode.WRITE, policy);
      CompletableFuture<Object> attempt = new CompletableFuture<>();
      Thread waiter =
          new Thread(
              () -> {
                try {
                  attempt.complete(unreachable.lock(path).acquire(longWait));
                } catch (RuntimeException e) {
                  attempt.complete(e);
                }
              });
      waiter.start();
      assertThrows(TimeoutException.class, () -> attempt.get(1500, TimeUnit.MILLISECONDS));
      waiter.interrupt();
      assertInstanceOf(DatasetLockException.class, attempt.get(WAIT_SECONDS, TimeUnit.SECONDS));
    }
  }
}
