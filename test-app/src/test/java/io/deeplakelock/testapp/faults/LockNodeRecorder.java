package io.deeplakelock.testapp.faults;

import io.deeplakelock.testapp.service.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * The ZooKeeper side of a trial's history, seen from the test's own session: when each lock node
 * under the trial's lock root was created and deleted, with its creation zxid (the fencing token
 * the agent hands out) and its owner session.
 *
 * <p>A persistent recursive watch reports creations and deletions as they happen. While this
 * session is disconnected (a leader election) events are missed, so on reconnecting the recorder
 * lists the nodes again: nodes gone meanwhile get the reconnection time as an upper bound.
 */
final class LockNodeRecorder implements AutoCloseable, Watcher {
  private static final int SESSION_TIMEOUT_MS = 20_000;

  /** One lock node's life; times are microseconds since the epoch. */
  static final class Node {
    final String path;
    final long czxid;
    final long owner;
    final long createdMicros;
    volatile long deletedMicros = -1;
    volatile boolean deletionApproximate;

    Node(String path, long czxid, long owner, long createdMicros) {
      this.path = path;
      this.czxid = czxid;
      this.owner = owner;
      this.createdMicros = createdMicros;
    }
  }

  private final String root;
  private final int lockNodeDepth;
  private final ZooKeeper zk;
  private final Map<String, Node> nodes = new ConcurrentHashMap<>();
  private final Map<String, Long> deletedUnknown = new ConcurrentHashMap<>();
  private final ExecutorService resync = Executors.newSingleThreadExecutor();
  private final CountDownLatch connected = new CountDownLatch(1);
  private volatile boolean disconnected;

  /** Connects and starts recording below {@code root}, where lock nodes are grandchildren. */
  LockNodeRecorder(String connectString, String root) throws Exception {
    this.root = root;
    this.lockNodeDepth = depth(root) + 2;
    this.zk = new ZooKeeper(connectString, SESSION_TIMEOUT_MS, this);
    if (!connected.await(30, TimeUnit.SECONDS)) {
      throw new AssertionError("the recorder could not connect to " + connectString);
    }
    createPath(root);
    zk.addWatch(root, AddWatchMode.PERSISTENT_RECURSIVE);
  }

  @Override
  public void process(WatchedEvent event) {
    long now = OpLog.nowMicros();
    switch (event.getType()) {
      case None:
        if (event.getState() == Event.KeeperState.SyncConnected) {
          connected.countDown();
          if (disconnected) {
            disconnected = false;
            resync.execute(() -> resync(now));
          }
        } else if (event.getState() == Event.KeeperState.Disconnected) {
          disconnected = true;
        }
        break;
      case NodeCreated:
        if (depth(event.getPath()) == lockNodeDepth) {
          zk.exists(
              event.getPath(), false, (rc, path, ctx, stat) -> created(path, stat, now), null);
        }
        break;
      case NodeDeleted:
        Node node = nodes.get(event.getPath());
        if (node != null) {
          node.deletedMicros = now;
        } else if (depth(event.getPath()) == lockNodeDepth) {
          deletedUnknown.put(event.getPath(), now);
        }
        break;
      default:
        break;
    }
  }

  private void created(String path, Stat stat, long now) {
    Node node =
        stat == null
            ? new Node(path, -1, -1, now)
            : new Node(path, stat.getCzxid(), stat.getEphemeralOwner(), now);
    Long deleted = deletedUnknown.remove(path);
    if (deleted != null || stat == null) {
      node.deletedMicros = deleted != null ? deleted : now;
    }
    nodes.putIfAbsent(path, node);
  }

  /** After missed events: nodes gone meanwhile are marked deleted by now, new ones recorded. */
  private void resync(long reconnectedMicros) {
    try {
      List<String> live = liveNodePaths();
      for (Node node : nodes.values()) {
        if (node.deletedMicros < 0 && !live.contains(node.path)) {
          node.deletedMicros = reconnectedMicros;
          node.deletionApproximate = true;
        }
      }
      for (String path : live) {
        if (!nodes.containsKey(path)) {
          Stat stat = zk.exists(path, false);
          if (stat != null) {
            nodes.putIfAbsent(
                path, new Node(path, stat.getCzxid(), stat.getEphemeralOwner(), reconnectedMicros));
          }
        }
      }
    } catch (KeeperException e) {
      // Disconnected again: the next reconnection resyncs.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The lock nodes that exist now. */
  List<String> liveNodePaths() throws KeeperException, InterruptedException {
    List<String> live = new ArrayList<>();
    for (String lock : zk.getChildren(root, false)) {
      String dir = root + "/" + lock;
      try {
        for (String child : zk.getChildren(dir, false)) {
          live.add(dir + "/" + child);
        }
      } catch (KeeperException.NoNodeException e) {
        // a container reaped meanwhile
      }
    }
    return live;
  }

  /** Waits (bounded) until no lock node is left; returns those still there at the deadline. */
  List<String> awaitNoLockNodes(Duration timeout) throws Exception {
    List<List<String>> last = new ArrayList<>();
    Waits.within(
        timeout,
        () -> {
          last.clear();
          last.add(liveNodePaths());
          return last.get(0).isEmpty();
        });
    return last.isEmpty() ? liveNodePaths() : last.get(0);
  }

  /** Every node seen so far, by creation zxid (nodes seen only as deleted have -1). */
  Map<Long, Node> nodesByToken() {
    Map<Long, Node> byToken = new ConcurrentHashMap<>();
    for (Node node : nodes.values()) {
      if (node.czxid > 0) {
        byToken.put(node.czxid, node);
      }
    }
    return byToken;
  }

  /** Writes every node's life as JSON lines, for reading a trial afterwards. */
  void writeTo(Path file) throws IOException {
    StringBuilder lines = new StringBuilder();
    List<Node> sorted = new ArrayList<>(nodes.values());
    sorted.sort(Comparator.comparingLong((Node node) -> node.createdMicros));
    for (Node node : sorted) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("path", node.path);
      json.put("token", node.czxid);
      json.put("session", "0x" + Long.toHexString(node.owner));
      json.put("created", node.createdMicros);
      json.put("deleted", node.deletedMicros < 0 ? null : node.deletedMicros);
      json.put("deletionApproximate", node.deletionApproximate);
      lines.append(Json.write(json)).append('\n');
    }
    Files.write(file, lines.toString().getBytes(StandardCharsets.UTF_8));
  }

  private void createPath(String path) throws KeeperException, InterruptedException {
    StringBuilder prefix = new StringBuilder();
    for (String part : path.substring(1).split("/")) {
      prefix.append('/').append(part);
      try {
        zk.create(
            prefix.toString(), new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      } catch (KeeperException.NodeExistsException e) {
        // made by an earlier trial
      }
    }
  }

  private static int depth(String path) {
    int depth = 0;
    for (int i = 0; i < path.length(); i++) {
      if (path.charAt(i) == '/') {
        depth++;
      }
    }
    return depth;
  }

  @Override
  public void close() {
    resync.shutdownNow();
    try {
      zk.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
