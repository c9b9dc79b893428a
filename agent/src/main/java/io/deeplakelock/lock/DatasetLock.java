package io.deeplakelock.lock;

import io.deeplakelock.bridge.LockLostException;
import io.deeplakelock.bridge.LockMode;
import io.deeplakelock.bridge.LockTimeoutException;
import io.deeplakelock.bridge.LockUpgradeException;
import io.deeplakelock.rules.LockPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-write lock of one lock path in this JVM; there is exactly one per path.
 *
 * <p><b>Reentrancy.</b> Tracked per thread, here rather than in ZooKeeper: a thread that holds the
 * write lock may take it again or take the read lock (no new node); a thread that holds the read
 * lock may take it again. A thread holding only the read lock that asks for the write lock is
 * refused at once with {@link LockUpgradeException}: its own read node would block it forever. The
 * node is removed when the thread's outermost guarded call ends.
 */
public final class DatasetLock {

  private static final Logger log = LoggerFactory.getLogger(DatasetLock.class);

  private final LockService service;
  private final LockQueue queue;
  private final ConcurrentHashMap<Thread, ThreadHold> holds = new ConcurrentHashMap<>();
  private final Set<Thread> waiters = ConcurrentHashMap.newKeySet();
  private final LockStats stats = new LockStats();

  DatasetLock(LockService service, String path) {
    this.service = service;
    this.queue = new LockQueue(service, path);
  }

  /** Observe mode: records whether a call in {@code mode} would wait now; never blocks. */
  public void observe(LockMode mode) {
    queue.observe(mode, stats);
  }

  /** Shadow mode: records that a call would have taken this lock; no ZooKeeper traffic. */
  public void shadow() {
    stats.shadowed.increment();
  }

  /** This lock's counters. */
  public LockStats stats() {
    return stats;
  }

  /** Names of the threads of this JVM that hold the lock now, with their modes. */
  public List<String> holders() {
    List<String> out = new ArrayList<>();
    for (Map.Entry<Thread, ThreadHold> e : holds.entrySet()) {
      out.add(e.getKey().getName() + " (" + e.getValue().nodeMode.label() + ")");
    }
    return out;
  }

  /** Names of the threads of this JVM that wait for the lock now. */
  public List<String> waiters() {
    List<String> out = new ArrayList<>();
    for (Thread t : waiters) {
      out.add(t.getName());
    }
    return out;
  }

  /** The lock's znode path (below the namespace, if any). */
  public String path() {
    return queue.path();
  }

  /**
   * Takes the lock for the current thread within the call's timeout.
   *
   * @return the hold, to be closed exactly once when the guarded call ends
   */
  public HeldLock acquire(CallSite call) {
    service.callStarted();
    try {
      return acquireCounted(call);
    } catch (RuntimeException | Error e) {
      service.callEnded();
      throw e;
    }
  }

  private HeldLock acquireCounted(CallSite call) {
    Thread thread = Thread.currentThread();
    ThreadHold hold = holds.get(thread);
    if (hold != null) {
      if (call.mode == LockMode.WRITE && hold.writes == 0) {
        throw new LockUpgradeException(
            "the "
                + call.describe(queue.path())
                + " was refused: this thread holds only the read lock of that dataset (taken by"
                + " rule '"
                + hold.firstRule
                + "'), and a read lock can never be upgraded to a write lock. Take the write lock"
                + " in the outer call instead. The call was not run.");
      }
      hold.enter(call.mode);
      return service.push(new HeldLock(this, hold, call, false));
    }
    long start = System.nanoTime();
    LockNode node;
    waiters.add(thread);
    try {
      node = queue.acquire(call, TimeUnit.MILLISECONDS.toNanos(call.policy.timeoutMillis()));
    } catch (LockTimeoutException e) {
      stats.timeouts.increment();
      throw e;
    } finally {
      waiters.remove(thread);
    }
    long waitedNanos = System.nanoTime() - start;
    service.recordWait(waitedNanos);
    stats.acquisitions.increment();
    stats.waitTimes.record(waitedNanos);
    stats.lastToken.set(node.czxid);
    if (node.queued) {
      stats.waited.increment();
    }
    hold = new ThreadHold(node, call.mode, call.rule);
    hold.enter(call.mode);
    holds.put(thread, hold);
    return service.push(new HeldLock(this, hold, call, true));
  }

  void release(HeldLock held, ThreadHold hold, CallSite call) {
    try {
      releaseCounted(held, hold, call);
    } finally {
      service.callEnded();
    }
  }

  private void releaseCounted(HeldLock held, ThreadHold hold, CallSite call) {
    service.pop(held);
    if (!hold.exit(call.mode)) {
      return;
    }
    holds.remove(Thread.currentThread());
    stats.holdTimes.record(System.nanoTime() - hold.node.acquiredAtNanos);
    String lostBecause = removeNode(hold.node);
    if (lostBecause == null) {
      return;
    }
    service.countLostLock();
    stats.lost.increment();
    String message =
        "the "
            + call.describe(queue.path())
            + " was lost while the call ran ("
            + lostBecause
            + "): another process may have held the same lock at the same time, so treat this"
            + " write as possibly overlapping another writer";
    log.error(message);
    if (call.policy.onLockLost() == LockPolicy.OnLockLost.THROW) {
      throw new LockLostException(message);
    }
  }

  /**
   * Removes our node and says whether the lock had been lost, or null when it was held to the end.
   * A disconnected client cannot know: it waits (at most a session and a connection timeout) for
   * ZooKeeper, since a session that outlives the disconnection still holds the lock. It never
   * deletes another holder's node: ours is named by its unique sequence.
   */
  private String removeNode(LockNode node) {
    CuratorFramework client = service.client();
    long deadline =
        System.nanoTime()
            + TimeUnit.MILLISECONDS.toNanos(
                client.getZookeeperClient().getLastNegotiatedSessionTimeoutMs()
                    + client.getZookeeperClient().getConnectionTimeoutMs());
    boolean deleteMayHaveSucceeded = false;
    while (true) {
      if (!client.getZookeeperClient().isConnected()) {
        long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        boolean back;
        try {
          back =
              remainingMs > 0
                  && client.blockUntilConnected(
                      (int) Math.min(Integer.MAX_VALUE, remainingMs), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          back = false;
        }
        if (!back) {
          deleteInBackground(node.path);
          return "ZooKeeper stayed unreachable for longer than the session timeout";
        }
      }
      if (service.sessionId() != node.sessionId) {
        return "the ZooKeeper session expired"; // the server removed the node with the session
      }
      try {
        client.delete().forPath(node.path);
        return null;
      } catch (KeeperException.NoNodeException e) {
        // After a delete whose reply was lost, NoNode in the same session is our own delete.
        return deleteMayHaveSucceeded ? null : "its lock node was deleted";
      } catch (Exception e) {
        deleteMayHaveSucceeded = true;
        if (System.nanoTime() - deadline > 0) {
          deleteInBackground(node.path);
          return "its release could not be confirmed: " + e;
        }
      }
    }
  }

  /** Curator keeps retrying a guaranteed delete in the background until it succeeds. */
  private void deleteInBackground(String path) {
    try {
      service.client().delete().guaranteed().inBackground().forPath(path);
    } catch (Exception e) {
      log.warn("could not schedule the removal of {}: {}", path, e.toString());
    }
  }

  /** One thread's holds on this lock: one node, any number of nested read and write entries. */
  static final class ThreadHold {
    final LockNode node;
    final LockMode nodeMode;
    final String firstRule;
    int reads;
    int writes;

    ThreadHold(LockNode node, LockMode nodeMode, String firstRule) {
      this.node = node;
      this.nodeMode = nodeMode;
      this.firstRule = firstRule;
    }

    void enter(LockMode mode) {
      if (mode == LockMode.WRITE) {
        writes++;
      } else {
        reads++;
      }
    }

    /** Returns true when this was the thread's last entry, so the node must go. */
    boolean exit(LockMode mode) {
      if (mode == LockMode.WRITE) {
        writes--;
      } else {
        reads--;
      }
      return reads + writes == 0;
    }
  }
}
