package io.deeplakelock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.Unshaded;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;

/** Unit tests for {@link LocksCommand}, against a real ZooKeeper. */
@Unshaded
class LocksCommandIT {

  @Test
  void listsHoldersAndWaitersOfEveryFamilyInQueueOrder() throws Exception {
    try (TestingServer server = new TestingServer();
        CuratorFramework zk =
            CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(100))) {
      zk.start();
      assertTrue(zk.blockUntilConnected(30, TimeUnit.SECONDS));
      String lockPath = "/deeplake/%2Fdata%2Fds";
      zk.create()
          .creatingParentsIfNeeded()
          .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
          .forPath(lockPath + "/0123456789abcdef0123456789abcdef__rlock__", "python".getBytes());
      zk.create()
          .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
          .forPath(
              lockPath + "/_c_1-__lock__",
              "deeplake-lock 42@host thread main".getBytes(StandardCharsets.UTF_8));
      zk.create()
          .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
          .forPath(lockPath + "/_c_2-__READ__", new byte[0]);
      zk.create().forPath(lockPath + "/not-a-lock");

      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int exit =
          Main.run(
              new String[] {"locks", "--zk", server.getConnectString()},
              new PrintStream(out, true, StandardCharsets.UTF_8),
              System.err);
      String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");

      assertEquals(0, exit);
      assertEquals(lockPath + "  (dataset /data/ds)", lines[0]);
      assertTrue(
          lines[1].matches("  HOLDS  0 read  kazoo .*__rlock__0000000000  python"), lines[1]);
      assertTrue(
          lines[2].matches("  waits  1 write deeplake-lock .*__lock__0000000001  deeplake-lock.*"),
          lines[2]);
      assertTrue(lines[3].matches("  waits  2 read  curator .*__READ__0000000002  "), lines[3]);
      assertEquals("1 lock(s) held or awaited under /deeplake (1 lock paths)", lines[4]);
      assertEquals(5, lines.length);
    }
  }

  @Test
  void unreachableZooKeeperIsAProblemNotAUsageError() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        Main.run(
            new String[] {"locks", "--zk", "127.0.0.1:1"},
            System.out,
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(1, exit);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("not reachable"));
  }
}
