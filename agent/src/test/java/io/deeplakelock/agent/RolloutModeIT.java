package io.deeplakelock.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.Unshaded;
import io.deeplakelock.lock.LockCounters;
import io.deeplakelock.lock.LockService;
import io.deeplakelock.rules.AgentConfig;
import io.deeplakelock.rules.RuleFile;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Unit tests for the observe and shadow modes of {@link GuardedCalls}. */
@Unshaded
class RolloutModeIT {

  private static final String LOCK_PATH = "/deeplake/%2Fdata%2Fds";

  private TestingServer server;
  private LockService service;

  @BeforeEach
  void start() throws Exception {
    server = new TestingServer();
  }

  @AfterEach
  void stop() throws Exception {
    if (service != null) {
      service.close();
    }
    server.close();
  }

  @Test
  void shadowModeCountsWhatWouldBeLockedWithoutTouchingZooKeeper() throws Exception {
    GuardedCalls calls = handler("shadow");
    assertNull(calls.enter(0, RolloutModeIT.class, "append", null, new Object[] {"/data/ds"}));
    assertNull(calls.enter(0, RolloutModeIT.class, "append", null, new Object[] {"/data/ds"}));
    assertEquals(2, stats().shadowed());
    assertEquals(0, stats().acquisitions());
    assertNull(service.client().checkExists().forPath("/deeplake"), "no znode may be created");
  }

  @Test
  void observeModeRecordsWhoTheCallWouldHaveWaitedForAndNeverBlocks() throws Exception {
    GuardedCalls calls = handler("observe");
    AutoCloseable alone =
        calls.enter(0, RolloutModeIT.class, "append", null, new Object[] {"/data/ds"});
    awaitChildren(1); // its marker
    alone.close();
    awaitChildren(0);
    String holder =
        service
            .client()
            .create()
            .creatingParentsIfNeeded()
            .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
            .forPath(LOCK_PATH + "/0123456789abcdef0123456789abcdef__lock__");
    long start = System.nanoTime();
    AutoCloseable second =
        calls.enter(0, RolloutModeIT.class, "append", null, new Object[] {"/data/ds"});
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "observe must not wait");

    awaitWouldWait(stats(), 1);
    assertEquals(2, stats().observed());
    assertEquals(holder.substring(LOCK_PATH.length() + 1), stats().lastBlocker());
    second.close();
    assertEquals(
        List.of(holder.substring(LOCK_PATH.length() + 1)),
        awaitChildren(1),
        "observe leaves nothing behind but the real holder");
  }

  @Test
  void observersInTwoSessionsSeeEachOther() throws Exception {
    // Two JVMs in observe mode (two ZooKeeper sessions), writing one dataset at the same time:
    // the later call would have waited for the earlier one. Before markers, neither saw anything.
    GuardedCalls first = handler("observe");
    LockService otherService = LockService.start(config("observe"));
    try {
      assertTrue(otherService.client().blockUntilConnected(30, TimeUnit.SECONDS));
      GuardedCalls other =
          new GuardedCalls(config("observe"), otherService, new Conflicts(), Paths.get("/"));

      AutoCloseable running =
          first.enter(0, RolloutModeIT.class, "append", null, new Object[] {"/data/ds"});
      awaitChildren(1); // the first call's marker is in place
      AutoCloseable overlapping =
          other.enter(0, RolloutModeIT.class, "append", null, new Object[] {"/data/ds"});

      try {
        LockCounters seen = otherService.lock(LOCK_PATH).stats();
        awaitWouldWait(seen, 1);
        assertTrue(seen.lastBlocker().contains("__obsw__"), seen.lastBlocker());
        assertEquals(0, stats().wouldWait(), "the earlier call waits for nobody");
      } finally {
        for (AutoCloseable call : new AutoCloseable[] {overlapping, running}) {
          if (call != null) {
            call.close();
          }
        }
      }
      awaitChildren(0);
    } finally {
      otherService.close();
    }
  }

  /** Waits, bounded, for the background look at the queue to count {@code count} waits. */
  private static void awaitWouldWait(LockCounters stats, long count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (stats.wouldWait() < count && System.nanoTime() < deadline) {
      Thread.sleep(5); // bounded polling of a counter set by a ZooKeeper callback
    }
    assertEquals(count, stats.wouldWait(), "would have waited");
  }

  /** Waits, bounded, until the lock path has {@code count} children, and returns them. */
  private List<String> awaitChildren(int count) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    List<String> children = List.of();
    while (System.nanoTime() < deadline) {
      children =
          service.client().checkExists().forPath(LOCK_PATH) == null
              ? List.of()
              : service.client().getChildren().forPath(LOCK_PATH);
      if (children.size() == count) {
        return children;
      }
      Thread.sleep(5); // bounded polling of ZooKeeper
    }
    assertEquals(count, children.size(), "children of " + LOCK_PATH + ": " + children);
    return children;
  }

  @Test
  void observeModeDoesNotFailWhenTheDatasetCannotBeFound() throws Exception {
    GuardedCalls calls = handler("observe");
    assertNull(calls.enter(0, RolloutModeIT.class, "append", null, new Object[] {null}));
  }

  private AgentConfig config(String mode) throws Exception {
    return RuleFile.parse(
        "t.yaml",
        "zookeeper:\n  connect: \""
            + server.getConnectString()
            + "\"\nmode: "
            + mode
            + "\nrules:\n  - {name: r, class: com.example.Dataset, methods: [append],"
            + " lock: write, dataset: arg0}\n",
        n -> null);
  }

  private GuardedCalls handler(String mode) throws Exception {
    AgentConfig config = config(mode);
    service = LockService.start(config);
    assertTrue(service.client().blockUntilConnected(30, TimeUnit.SECONDS));
    return new GuardedCalls(config, service, new Conflicts(), Paths.get("/"));
  }

  private LockCounters stats() {
    return service.lock(LOCK_PATH).stats();
  }
}
