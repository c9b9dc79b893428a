package io.deeplakelock.lock;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.Unshaded;
import io.deeplakelock.bridge.LockMode;
import io.deeplakelock.bridge.LockTimeoutException;
import io.deeplakelock.rules.AgentConfig;
import io.deeplakelock.rules.LockPolicy;
import io.deeplakelock.rules.RuleFile;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;

/**
 * Integration tests (against a ZooKeeper of their own) for {@link ZkConnection}: starting off the
 * caller's thread, and how long closing it keeps the caller (the JVM's exit).
 */
@Unshaded
class ZkConnectionIT {

  private static final long WAIT_SECONDS = 30;

  private static AgentConfig config(String connect, String connectionTimeout) throws Exception {
    return RuleFile.parse(
        "t.yaml",
        String.format(
            "zookeeper: {connect: '%s', connectionTimeout: %s}%nrules:%n"
                + "  - {name: r, class: com.example.Dataset, methods: [append], lock: write,"
                + " dataset: arg0}%n",
            connect, connectionTimeout),
        n -> null);
  }

  /** A connection that is started and, when {@code live}, has its first session. */
  private static ZkConnection started(AgentConfig config, boolean live) throws Exception {
    ZkConnection connection = new ZkConnection(config);
    CountDownLatch session = new CountDownLatch(1);
    connection.addListener(
        s -> {
          if (s != 0) {
            session.countDown();
          }
        });
    connection.start();
    if (live) {
      assertTrue(session.await(WAIT_SECONDS, TimeUnit.SECONDS), "no session");
    }
    return connection;
  }

  @Test
  void closeDoesNotWaitWhenNoSessionWasEverEstablished() throws Exception {
    // A server that accepts the connection and never answers (a half-dead host, a proxy in front
    // of a stopped ensemble). ZooKeeper's own close queues a close-session request and waits for
    // the connection attempt to fail first: up to the session timeout, for a session that never
    // existed. Against a port that refuses, it waits for the next attempt (up to a second).
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      CountDownLatch accepted = new CountDownLatch(1);
      List<Socket> kept = new CopyOnWriteArrayList<>();
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    kept.add(silent.accept());
                    accepted.countDown();
                  }
                } catch (IOException closed) {
                  // the test is over
                }
              },
              "silent-server");
      acceptor.setDaemon(true);
      acceptor.start();
      ZkConnection connection = started(config("127.0.0.1:" + silent.getLocalPort(), "10s"), false);
      assertTrue(accepted.await(WAIT_SECONDS, TimeUnit.SECONDS), "the client never connected");
      long start = System.nanoTime();
      assertTimeoutPreemptively(Duration.ofSeconds(10), connection::close);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(millis < 250, "close took " + millis + " ms");
      for (Socket s : kept) {
        s.close();
      }
    }
  }

  @Test
  void closeEndsTheSessionAtOnceWhileConnected() throws Exception {
    try (TestingServer server = new TestingServer();
        CuratorFramework inspector =
            CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(100))) {
      inspector.start();
      ZkConnection connection = started(config(server.getConnectString(), "10s"), true);
      String node =
          connection
              .client()
              .create()
              .creatingParentsIfNeeded()
              .withMode(CreateMode.EPHEMERAL)
              .forPath("/close-test/node");
      connection.close();
      // The close-session request was answered: the ephemeral node is gone now, not at expiry.
      assertNull(inspector.checkExists().forPath(node));
    }
  }

  @Test
  void closeIsBoundedWhenTheServerWentAway() throws Exception {
    TestingServer server = new TestingServer();
    ZkConnection connection;
    try {
      connection = started(config(server.getConnectString(), "1s"), true);
      assertNotNull(connection.client());
    } finally {
      server.stop();
    }
    try {
      long start = System.nanoTime();
      connection.close();
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      // The bound is the connection timeout (1 s here); the rest is slack for a loaded machine.
      assertTrue(millis < 1_000 + 1_500, "close took " + millis + " ms");
    } finally {
      server.close();
    }
  }

  @Test
  void aClosedConnectionLeavesNoStartedClient() throws Exception {
    AgentConfig config = config("127.0.0.1:1", "10s");
    for (int i = 0; i < 20; i++) { // close before, during and after the connect thread's start
      ZkConnection connection = new ZkConnection(config);
      connection.start();
      connection.close();
      // A client closed before its start never starts; one started first is closed in the
      // background (the connect thread's, or the close's own).
      CuratorFramework client = connection.client();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
      while (client.getState() == CuratorFrameworkState.STARTED && System.nanoTime() < deadline) {
        Thread.yield();
      }
      assertNotEquals(CuratorFrameworkState.STARTED, client.getState());
    }
  }

  @Test
  void aCallBeforeTheClientIsReadyWaitsItsTimeoutThenFailsClosed() throws Exception {
    AgentConfig config = config("127.0.0.1:1", "10s");
    LockPolicy policy =
        new LockPolicy(500, LockPolicy.OnTimeout.FAIL, true, LockPolicy.OnLockLost.THROW);
    try (LockService service = LockService.start(config)) {
      // At once: the client may not even have started on its connect thread yet.
      long start = System.nanoTime();
      LockCall call = new LockCall("r", "Dataset.append", "/data/a", LockMode.WRITE, policy);
      DatasetLock lock = service.lock("/deeplake/data/a");
      LockTimeoutException e = assertThrows(LockTimeoutException.class, () -> lock.acquire(call));
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(millis >= 500 && millis < 5_000, "failed after " + millis + " ms");
      assertTrue(e.getMessage().contains("not reachable"), e.getMessage());
    }
  }
}
