package io.deeplakelock.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.lock.LockService;
import io.deeplakelock.lock.LockStats;
import io.deeplakelock.rules.AgentConfig;
import io.deeplakelock.rules.RuleFile;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Unit tests for the observe and shadow modes of {@link GuardedCalls}. */
class RolloutModeTest {

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
    assertNull(calls.enter(0, RolloutModeTest.class, "append", null, new Object[] {"/data/ds"}));
    assertNull(calls.enter(0, RolloutModeTest.class, "append", null, new Object[] {"/data/ds"}));
    assertEquals(2, stats().shadowed());
    assertEquals(0, stats().acquisitions());
    assertNull(service.client().checkExists().forPath("/deeplake"), "no znode may be created");
  }

  @Test
  void observeModeRecordsWhoTheCallWouldHaveWaitedForAndNeverBlocks() throws Exception {
    GuardedCalls calls = handler("observe");
    assertNull(calls.enter(0, RolloutModeTest.class, "append", null, new Object[] {"/data/ds"}));
    String holder =
        service
            .client()
            .create()
            .creatingParentsIfNeeded()
            .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
            .forPath(LOCK_PATH + "/0123456789abcdef0123456789abcdef__lock__");
    long start = System.nanoTime();
    assertNull(calls.enter(0, RolloutModeTest.class, "append", null, new Object[] {"/data/ds"}));
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "observe must not wait");

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (stats().wouldWait() == 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait(); // the queue is read in the background
    }
    assertEquals(2, stats().observed());
    assertEquals(1, stats().wouldWait());
    assertEquals(holder.substring(LOCK_PATH.length() + 1), stats().lastBlocker());
    assertEquals(
        1, service.client().getChildren().forPath(LOCK_PATH).size(), "observe creates no node");
  }

  @Test
  void observeModeDoesNotFailWhenTheDatasetCannotBeFound() throws Exception {
    GuardedCalls calls = handler("observe");
    assertNull(calls.enter(0, RolloutModeTest.class, "append", null, new Object[] {null}));
  }

  private GuardedCalls handler(String mode) throws Exception {
    AgentConfig config =
        RuleFile.parse(
            "t.yaml",
            "zookeeper:\n  connect: \""
                + server.getConnectString()
                + "\"\nmode: "
                + mode
                + "\nrules:\n  - {name: r, class: com.example.Dataset, methods: [append],"
                + " lock: write, dataset: arg0}\n",
            n -> null);
    service = LockService.start(config);
    assertTrue(service.client().blockUntilConnected(30, TimeUnit.SECONDS));
    return new GuardedCalls(config, service, new Conflicts(), Paths.get("/"));
  }

  private LockStats stats() {
    return service.lock(LOCK_PATH).stats();
  }
}
