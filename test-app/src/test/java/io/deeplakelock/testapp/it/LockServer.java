package io.deeplakelock.testapp.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * A ZooKeeper server on a free port of 127.0.0.1 for the child JVMs to lock against, and a plain
 * client through which a test looks at their lock nodes.
 */
final class LockServer implements AutoCloseable {
  /** The lock root of the rules files the tests write. */
  static final String ROOT = "/deeplake";

  /** Short ticks, so that rules may ask for sessions as short as two ticks. */
  static final int TICK_MILLIS = 500;

  private static final long POLL_MILLIS = 20;

  private final TestingServer server;
  private final ZooKeeper client;

  private LockServer(TestingServer server, ZooKeeper client) {
    this.server = server;
    this.client = client;
  }

  /** Starts the server and connects the inspecting client; bounded by {@code timeout}. */
  static LockServer start(Duration timeout) throws Exception {
    // Loopback only; maxCnxns set so that the server does not warn that it is not.
    InstanceSpec spec =
        new InstanceSpec(
            null, -1, -1, -1, true, -1, TICK_MILLIS, -1, Map.of("maxCnxns", "100"), "127.0.0.1");
    TestingServer server = new TestingServer(spec, true);
    try {
      CountDownLatch connected = new CountDownLatch(1);
      ZooKeeper client =
          new ZooKeeper(
              server.getConnectString(),
              (int) timeout.toMillis(),
              event -> {
                if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                  connected.countDown();
                }
              });
      if (!connected.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        client.close();
        throw new IllegalStateException(
            "could not connect to the test ZooKeeper at " + server.getConnectString());
      }
      return new LockServer(server, client);
    } catch (Exception | Error e) {
      server.close();
      throw e;
    }
  }

  /** What the children's rules files read through {@code ${DEEPLAKE_LOCK_ZK}}. */
  String connectString() {
    return server.getConnectString();
  }

  /**
   * The lock znode of a dataset as the README defines it: the root, then the absolute, normalised
   * path with every byte but {@code A-Z a-z 0-9 - . _ ~} percent-encoded.
   */
  static String lockPath(Path dataset) {
    StringBuilder path = new StringBuilder(ROOT).append('/');
    byte[] canonical =
        dataset.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8);
    for (byte b : canonical) {
      char c = (char) (b & 0xff);
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        path.append(c);
      } else {
        path.append('%').append(String.format("%02X", (int) c));
      }
    }
    return path.toString();
  }

  /** Whether a lock node is a writer's ({@code ..__lock__<seq>}, kazoo's naming). */
  static boolean isWriteNode(String name) {
    return name.contains("__lock__");
  }

  /** Whether a lock node is a reader's ({@code ..__rlock__<seq>}). */
  static boolean isReadNode(String name) {
    return name.contains("__rlock__");
  }

  /** The sequence text a lock node ends with, by which contenders queue. */
  static String sequence(String name) {
    return name.substring(name.length() - 10);
  }

  /** The children of {@code path}, sorted by name; empty when the node does not exist. */
  List<String> children(String path) throws KeeperException, InterruptedException {
    try {
      List<String> children = new ArrayList<>(client.getChildren(path, false));
      Collections.sort(children);
      return children;
    } catch (KeeperException.NoNodeException e) {
      return Collections.emptyList();
    }
  }

  /** Whether the node exists. */
  boolean exists(String path) throws KeeperException, InterruptedException {
    return client.exists(path, false) != null;
  }

  /** The node's data as text, or null when it does not exist. */
  String data(String path) throws KeeperException, InterruptedException {
    try {
      byte[] data = client.getData(path, false, null);
      return data == null ? "" : new String(data, StandardCharsets.UTF_8);
    } catch (KeeperException.NoNodeException e) {
      return null;
    }
  }

  /** The node's creation zxid, or 0 when it does not exist. */
  long czxid(String path) throws KeeperException, InterruptedException {
    Stat stat = client.exists(path, false);
    return stat == null ? 0 : stat.getCzxid();
  }

  /**
   * Waits, watching {@code path}, until its children satisfy {@code condition}.
   *
   * @return the children that did
   * @throws AssertionError naming {@code what} and the last children seen, when time runs out
   */
  List<String> awaitChildren(
      String path, Predicate<List<String>> condition, Duration timeout, String what)
      throws KeeperException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      CountDownLatch changed = new CountDownLatch(1);
      List<String> children = watchChildren(path, changed);
      if (condition.test(children)) {
        return children;
      }
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0 || !changed.await(remaining, TimeUnit.NANOSECONDS)) {
        throw new AssertionError(
            "within "
                + timeout.toMillis()
                + " ms, expected "
                + what
                + "; "
                + path
                + " has "
                + children(path));
      }
    }
  }

  /** The sorted children of {@code path}, with a watch on them (or on its creation) set. */
  private List<String> watchChildren(String path, CountDownLatch changed)
      throws KeeperException, InterruptedException {
    Watcher watcher = event -> changed.countDown();
    try {
      List<String> children = new ArrayList<>(client.getChildren(path, watcher));
      Collections.sort(children);
      return children;
    } catch (KeeperException.NoNodeException e) {
      if (client.exists(path, watcher) != null) {
        changed.countDown(); // created meanwhile: look again
      }
      return Collections.emptyList();
    }
  }

  /**
   * Waits, watching it, until {@code node} is deleted.
   *
   * @return when it was seen gone, as {@link System#nanoTime()}
   */
  long awaitGone(String node, Duration timeout) throws KeeperException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      CountDownLatch changed = new CountDownLatch(1);
      if (client.exists(node, event -> changed.countDown()) == null) {
        return System.nanoTime();
      }
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0 || !changed.await(remaining, TimeUnit.NANOSECONDS)) {
        throw new AssertionError(node + " still exists after " + timeout.toMillis() + " ms");
      }
    }
  }

  /** Every lock node left under the lock root, as full paths. */
  List<String> lockNodes() throws KeeperException, InterruptedException {
    List<String> nodes = new ArrayList<>();
    for (String lock : children(ROOT)) {
      for (String node : children(ROOT + "/" + lock)) {
        nodes.add(ROOT + "/" + lock + "/" + node);
      }
    }
    return nodes;
  }

  /** Waits until no lock node is left under the lock root (the lock paths themselves may stay). */
  void awaitNoLockNodes(Duration timeout) throws KeeperException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> left;
    while (!(left = lockNodes()).isEmpty()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError(
            "lock nodes left under " + ROOT + " after " + timeout.toMillis() + " ms: " + left);
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      client.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      server.close();
    }
  }
}
