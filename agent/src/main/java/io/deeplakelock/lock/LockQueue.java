package io.deeplakelock.lock;

import io.deeplakelock.bridge.DatasetLockException;
import io.deeplakelock.bridge.LockMode;
import io.deeplakelock.bridge.LockTimeoutException;
import io.deeplakelock.rules.ZooKeeperSecurity;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ZooKeeper side of one lock path: queue a node, wait for its turn, remove it.
 *
 * <p><b>Protocol.</b> A contender creates an {@code EPHEMERAL_SEQUENTIAL} child (parents are
 * created {@code PERSISTENT}, so a Python client that cached the parent keeps working). A writer
 * holds the lock when no contender precedes it; a reader when no writer precedes it. A waiter
 * watches only the nearest contender it conflicts with and re-reads the queue when that one goes,
 * so a release wakes one waiter, not the herd.
 */
final class LockQueue {

  private static final Logger log = LoggerFactory.getLogger(LockQueue.class);

  private final LockService service;
  private final String path;

  LockQueue(LockService service, String path) {
    this.service = service;
    this.path = path;
  }

  String path() {
    return path;
  }

  /**
   * Queues a node for {@code mode} and waits until it holds the lock.
   *
   * @return the held node
   * @throws LockTimeoutException when the deadline passes first (the node is removed)
   * @throws DatasetLockException on interrupt (status kept) or any ZooKeeper failure
   */
  LockNode acquire(CallSite call, long timeoutNanos, long start) {
    long deadline = System.nanoTime() + timeoutNanos;
    String ours = null;
    boolean acquired = false;
    try {
      awaitConnected(call, start, deadline);
      refuseUnauthenticated(call);
      Stat stat = new Stat();
      ours =
          service
              .client()
              .create()
              .storingStatIn(stat)
              .creatingParentsIfNeeded()
              .withProtection()
              .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
              .forPath(
                  path + "/" + LockNodeName.prefix(service.protocol(), call.mode),
                  service.holderData(Thread.currentThread()));
      // The session that owns the node: if it is not the session at release, the node is gone.
      long sessionId = service.sessionId();
      long czxid = stat.getCzxid();
      if (czxid == 0) {
        // The create's reply was lost and Curator found our node again: read its stat.
        Stat found = service.client().checkExists().forPath(ours);
        czxid = found == null ? 0 : found.getCzxid();
      }
      String name = ours.substring(path.length() + 1);
      String blocker;
      boolean queued = false;
      while ((blocker = blocker(name, call.mode)) != null) {
        queued = true;
        if (!awaitGone(blocker, deadline)) {
          String holder = describeHolder(blocker);
          throw new LockTimeoutException(
              "timed out after "
                  + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
                  + " ms waiting for the "
                  + call.describe(path)
                  + "; queued behind "
                  + blocker
                  + holder
                  + ". The call was not run.");
        }
        awaitConnected(call, start, deadline);
      }
      acquired = true;
      return new LockNode(ours, czxid, sessionId, queued);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DatasetLockException(
          "interrupted while waiting for the " + call.describe(path) + ". The call was not run.",
          e);
    } catch (DatasetLockException e) {
      throw e;
    } catch (KeeperException.NoAuthException | KeeperException.InvalidACLException e) {
      throw new DatasetLockException(
          "could not take the "
              + call.describe(path)
              + ": "
              + explain(e)
              + ". The call was not run.",
          e);
    } catch (Exception e) {
      throw new DatasetLockException(
          "could not take the "
              + call.describe(path)
              + ": "
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage()
              + ". The call was not run.",
          e);
    } finally {
      if (!acquired && ours != null) {
        // Timed out, interrupted or failed: leave nothing in the queue behind us.
        remove(ours);
      }
    }
  }

  /**
   * Observe mode: reads the queue in the background, creating nothing, and counts whether a call of
   * {@code mode} arriving now would have had to wait. The caller never waits for the answer.
   */
  void observe(LockMode mode, LockStats stats) {
    stats.observed.increment();
    if (!service.client().getZookeeperClient().isConnected()) {
      return; // unknown: nothing to count, and nothing may be delayed
    }
    try {
      service
          .client()
          .getChildren()
          .inBackground(
              (client, event) -> {
                if (event.getChildren() == null) {
                  return; // no queue at all (NoNode): nobody to wait for
                }
                for (String child : event.getChildren()) {
                  LockNodeName.Contender c = LockNodeName.parse(child);
                  if (c != null && (mode == LockMode.WRITE || c.write)) {
                    stats.wouldWait.increment();
                    stats.lastBlocker = child;
                    return;
                  }
                }
              })
          .forPath(path);
    } catch (Exception e) {
      log.debug("observe: reading {} failed: {}", path, e.toString());
    }
  }

  /**
   * Watches the queue while {@code lease} keeps its node: reports the contenders, in queue order,
   * now and after every change, until the lease is released. A watch that cannot be set (no
   * connection) marks the lease, and {@link DatasetLock#rewatch} re-arms it after reconnection.
   */
  void watch(Lease lease, BiConsumer<Lease, List<LockNodeName.Contender>> onChange) {
    if (lease.released()) {
      return;
    }
    try {
      service
          .client()
          .getChildren()
          .usingWatcher(
              (org.apache.zookeeper.Watcher)
                  event -> {
                    // Disconnection events leave the watch registered; ZooKeeper re-sets it.
                    if (event.getType() != org.apache.zookeeper.Watcher.Event.EventType.None) {
                      watch(lease, onChange);
                    }
                  })
          .inBackground(
              (client, event) -> {
                if (lease.released()) {
                  return;
                }
                int rc = event.getResultCode();
                if (rc == KeeperException.Code.OK.intValue()) {
                  onChange.accept(lease, contenders(event.getChildren()));
                } else if (rc == KeeperException.Code.NONODE.intValue()) {
                  onChange.accept(lease, Collections.<LockNodeName.Contender>emptyList());
                } else {
                  lease.watchBroken = true;
                }
              })
          .forPath(path);
    } catch (Exception e) {
      lease.watchBroken = true;
    }
  }

  /** The contenders among a lock path's children, in queue order. */
  private static List<LockNodeName.Contender> contenders(List<String> children) {
    List<LockNodeName.Contender> queue = new ArrayList<>(children.size());
    for (String child : children) {
      LockNodeName.Contender c = LockNodeName.parse(child);
      if (c != null) {
        queue.add(c);
      }
    }
    Collections.sort(queue);
    return queue;
  }

  /** Fails closed while ZooKeeper reports an authentication failure on this connection. */
  private void refuseUnauthenticated(CallSite call) {
    String problem = service.authProblem();
    if (problem != null) {
      throw new DatasetLockException(
          "could not take the " + call.describe(path) + ": " + problem + ". The call was not run.");
    }
  }

  /** What an ACL refusal means for this agent, naming its identity (never its secret). */
  private String explain(KeeperException e) {
    ZooKeeperSecurity security = service.security();
    String identity;
    switch (security.scheme()) {
      case DIGEST:
        identity = "digest user '" + security.digestUser() + "'";
        break;
      case SASL:
        identity = "the SASL identity of JAAS section '" + security.saslSection() + "'";
        break;
      default:
        identity = "no identity (zookeeper.auth is not set)";
    }
    if (e instanceof KeeperException.NoAuthException) {
      return "ZooKeeper refused access to "
          + e.getPath()
          + " (NoAuth): its parent's ACL does not let this agent, authenticated with "
          + identity
          + ", create or delete there. Give the agent the identity that created "
          + path
          + ", or change the ACL (zkCli.sh: getAcl "
          + path
          + ")";
    }
    return "ZooKeeper refused the ACL '"
        + security.acl().label()
        + "' on "
        + e.getPath()
        + " (InvalidACL): this connection has no authenticated identity to give the node to;"
        + " check zookeeper.auth, and the log for an authentication failure";
  }

  /** The nearest contender that {@code ours} must wait for, or null when it holds the lock. */
  private String blocker(String ours, LockMode mode) throws Exception {
    List<LockNodeName.Contender> queue = contenders(service.client().getChildren().forPath(path));
    LockNodeName.Contender self = null;
    for (LockNodeName.Contender c : queue) {
      if (c.name.equals(ours)) {
        self = c;
      }
    }
    if (self == null) {
      throw new DatasetLockException(
          "our lock node "
              + path
              + "/"
              + ours
              + " vanished while queued (ZooKeeper session expired?)");
    }
    service.noticeForeignContenders(path, queue);
    String blocker = null;
    for (LockNodeName.Contender c : queue) {
      if (c == self) {
        break;
      }
      if (mode == LockMode.WRITE || c.write) {
        blocker = c.name;
      }
    }
    return blocker == null ? null : path + "/" + blocker;
  }

  /** Waits until {@code node} is deleted or something changes; false when the deadline passed. */
  private boolean awaitGone(String node, long deadline) throws Exception {
    CountDownLatch changed = new CountDownLatch(1);
    Stat exists =
        service.client().checkExists().usingWatcher(new LatchWatcher(changed)).forPath(node);
    if (exists == null) {
      return true;
    }
    long remaining = deadline - System.nanoTime();
    return remaining > 0 && changed.await(remaining, TimeUnit.NANOSECONDS);
  }

  private void awaitConnected(CallSite call, long start, long deadline)
      throws InterruptedException {
    CuratorFramework client = service.client();
    if (client.getZookeeperClient().isConnected()) {
      return;
    }
    long remaining = deadline - System.nanoTime();
    if (remaining <= 0
        || !client.blockUntilConnected(
            (int)
                Math.min(Integer.MAX_VALUE, Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining))),
            TimeUnit.MILLISECONDS)) {
      throw new LockTimeoutException(
          "timed out after "
              + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
              + " ms waiting for the "
              + call.describe(path)
              + ": ZooKeeper at "
              + service.connectString()
              + " is not reachable"
              + (service.security().tls() != null
                  ? " over TLS (is that the server's secureClientPort, and does its certificate"
                      + " chain to the trust store and name that host?)"
                  : "")
              + (service.authProblem() != null ? " (" + service.authProblem() + ")" : "")
              + ". The call was not run.");
    }
  }

  private String describeHolder(String node) {
    try {
      byte[] data = service.client().getData().forPath(node);
      return data == null || data.length == 0
          ? ""
          : " (" + new String(data, StandardCharsets.UTF_8) + ")";
    } catch (Exception e) {
      return "";
    }
  }

  /**
   * Deletes our node.
   *
   * @return false when it was already gone: the lock had been lost
   */
  boolean remove(String node) {
    try {
      service.client().delete().guaranteed().forPath(node);
      return true;
    } catch (KeeperException.NoNodeException e) {
      return false;
    } catch (Exception e) {
      // guaranteed(): Curator keeps retrying the delete in the background until it succeeds.
      log.warn("releasing {} failed for now ({}); Curator retries in the background", node, e);
      return true;
    }
  }

  /** Counts the latch down on any event: deletion, data change or a connection change. */
  private static final class LatchWatcher implements org.apache.zookeeper.Watcher {
    private final CountDownLatch latch;

    LatchWatcher(CountDownLatch latch) {
      this.latch = latch;
    }

    @Override
    public void process(org.apache.zookeeper.WatchedEvent event) {
      latch.countDown();
    }
  }
}
