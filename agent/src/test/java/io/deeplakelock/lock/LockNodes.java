package io.deeplakelock.lock;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/**
 * What the lock tests see of a lock path in ZooKeeper, through a client of their own, and of an
 * engine's state that no event announces.
 */
final class LockNodes {

  private LockNodes() {}

  static List<String> children(CuratorFramework inspector, String path) throws Exception {
    try {
      return inspector.getChildren().forPath(path);
    } catch (KeeperException.NoNodeException e) {
      return new ArrayList<>();
    }
  }

  /** Waits, by watching the lock path, until it has {@code count} children. */
  static void awaitChildren(CuratorFramework inspector, String path, int count) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LockHolder.WAIT_SECONDS);
    while (true) {
      CountDownLatch changed = new CountDownLatch(1);
      List<String> now;
      try {
        now =
            inspector.getChildren().usingWatcher((Watcher) e -> changed.countDown()).forPath(path);
      } catch (KeeperException.NoNodeException e) {
        now = List.of();
        inspector.checkExists().usingWatcher((Watcher) ev -> changed.countDown()).forPath(path);
      }
      if (now.size() == count) {
        return;
      }
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0 || !changed.await(remaining, TimeUnit.NANOSECONDS)) {
        fail("expected " + count + " children of " + path + ", have " + now);
      }
    }
  }

  /**
   * Ends {@code service}'s session from the server side: a second handle on the same session,
   * closed. The server deletes the session's ephemeral nodes at once, while the service's client
   * still believes it holds its locks.
   */
  static void expireSession(LockService service, String connectString) throws Exception {
    ZooKeeper victim = service.client().getZookeeperClient().getZooKeeper();
    CountDownLatch connected = new CountDownLatch(1);
    ZooKeeper thief =
        new ZooKeeper(
            connectString,
            10_000,
            event -> {
              if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
              }
            },
            victim.getSessionId(),
            victim.getSessionPasswd());
    assertTrue(connected.await(LockHolder.WAIT_SECONDS, TimeUnit.SECONDS));
    thief.close();
  }

  /**
   * The packets the (in-process) server received on {@code service}'s session so far, from its
   * per-connection MBean: what the service asked of ZooKeeper, pings included.
   */
  static long packetsReceived(LockService service) throws Exception {
    String session =
        "0x"
            + Long.toHexString(service.client().getZookeeperClient().getZooKeeper().getSessionId());
    MBeanServer beans = ManagementFactory.getPlatformMBeanServer();
    for (ObjectName name :
        beans.queryNames(new ObjectName("org.apache.ZooKeeperService:*"), null)) {
      if (session.equals(name.getKeyProperty("name3"))) {
        return (Long) beans.getAttribute(name, "PacketsReceived");
      }
    }
    throw new AssertionError("no connection MBean for session " + session);
  }

  /**
   * Polls a condition that no event announces (state inside the lock), with a deadline, and fails
   * with {@code what} if it is not reached in {@link LockHolder#WAIT_SECONDS}.
   */
  static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LockHolder.WAIT_SECONDS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail(what);
      }
      Thread.sleep(5);
    }
  }
}
