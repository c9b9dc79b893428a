package io.deeplakelock.lock;

import io.deeplakelock.bridge.DatasetLockException;
import io.deeplakelock.bridge.LockMode;
import io.deeplakelock.bridge.LockTimeoutException;
import io.deeplakelock.bridge.LockUpgradeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The read-write lock of one lock path in this JVM; there is one live per path ({@link LockTable}).
 * It waits for what its {@link LockEngine} decides, tracks re-entry and writes the messages.
 *
 * <p><b>Coalescing</b> (the default). The reading threads of this JVM share one read node (a {@link
 * ReadShare}): joining it is a counter increment. Writers queue locally and only the head holds a
 * write node (a {@link WriteHandoff}), handed from writer to writer a bounded number of times while
 * another contender waits. A node whose last call left is kept for the next local call while this
 * JVM's calls on the path come close together and no other process was seen there lately, and given
 * up at once when another contender queues (adaptive lingering, the default; {@code linger} fixes
 * the time instead). Without coalescing every outermost call queues a node of its own.
 *
 * <p><b>Reentrancy.</b> Tracked per thread in {@link CallFrames}: a thread that holds the write
 * lock may take it again or take the read lock; a thread that holds the read lock may take it
 * again. A thread holding only the read lock that asks for the write lock is refused at once with
 * {@link LockUpgradeException}: its read node would block it forever.
 *
 * <p><b>Lost locks.</b> A call whose node was lost before it ended, as far as this JVM knew when it
 * ended, is told by the rule's {@code onLockLost} policy ({@link LockLossReport}).
 *
 * <p><b>A failed login refuses every new node.</b> A call is refused before it queues when
 * authentication has failed, and again once granted, if the failure became known while it waited
 * (ZooKeeper then goes on without authentication where the server lets it); its hold is given back
 * and its body never runs.
 *
 * <p><b>Waiting is bounded.</b> An acquisition waits at most its timeout; the end of a call waits
 * for ZooKeeper's answer (did the node outlive a disconnection?) at most the connection timeout,
 * whatever the thread's interrupt flag, which it keeps.
 *
 * <p><b>Why over 400 lines.</b> It is the one place a call meets its lock: waiting with the
 * deadline, re-entry, the table's retirement check, the refusals after a failed login and the
 * messages a caller reads. What decides about nodes is in {@link LockEngine}; what remains here is
 * what every call path shares.
 */
public final class DatasetLock {

  /** How long a call that timed out waits for its queued node to be removed. */
  private static final long REMOVAL_WAIT_MILLIS = 100;

  private final LockService service;
  private final LockEngine engine;
  private final LockCounters stats;
  private final boolean coalesce;

  /**
   * Set once, under the engine's lock, when the table evicts this idle lock; see {@link #enter}.
   */
  private volatile boolean retired;

  /**
   * Looked up since the table's last sweep: a second chance before eviction. Written without
   * synchronisation, and only when false, so a lookup of a lock in steady use only reads it; a lost
   * write merely makes an idle lock a little likelier to be evicted.
   */
  boolean used = true;

  DatasetLock(LockService service, LockEngine engine, LockCounters stats, boolean coalesce) {
    this.service = service;
    this.engine = engine;
    this.stats = stats;
    this.coalesce = coalesce;
  }

  /**
   * Observe mode: records whether a call in {@code mode} would wait now, and stands for the call
   * for other observers while it runs ({@link ObserveMarkers}); never blocks.
   *
   * @return closes the call's marker when it ends, or null
   */
  public AutoCloseable observe(LockMode mode) {
    return ObserveMarkers.enter(service, path(), mode, stats);
  }

  /** Shadow mode: records that a call would have taken this lock; no ZooKeeper traffic. */
  public void shadow() {
    stats.shadowed.increment();
  }

  /** This lock's counters. */
  public LockCounters stats() {
    return stats;
  }

  /** The nodes this JVM holds on the path now, with who uses them. */
  public List<String> holders() {
    return engine.holders();
  }

  /** Names of the threads of this JVM that wait for the lock now. */
  public List<String> waiters() {
    List<String> out = new ArrayList<>();
    for (Thread t : engine.waiters()) {
      out.add(t.getName());
    }
    return out;
  }

  /** The other nodes this JVM's queued nodes wait behind now (see {@link LockEngine#blockers}). */
  List<String> blockers() {
    return engine.blockers();
  }

  /** How many calls hold or wait for a node of their own now. */
  int callsOwnNodes() {
    return engine.callsOwnNodes();
  }

  /** How many of this JVM's nodes here have a deletion watch ZooKeeper answered (for the tests). */
  int nodesWatched() {
    return engine.nodesWatched();
  }

  /** How often calls waiting here woke to find nothing they wait for done (for the tests). */
  long needlessWakeups() {
    return engine.needlessWakeups();
  }

  /** Outermost guarded calls holding or waiting for this lock now. */
  int callsInFlight() {
    return engine.callsHolding() + engine.waiters().size();
  }

  /** The lock's znode path (below the namespace, if any). */
  public String path() {
    return engine.path();
  }

  /**
   * Takes the lock for the current thread within the call's timeout (for callers that want a handle
   * per call; guarded calls use {@link #enter}).
   *
   * @return the hold, to be closed when the guarded call ends; closing it twice does nothing
   */
  public HeldLock acquire(LockCall call) {
    CallFrames frames = service.frames();
    enter(frames, call.request, call.origin, call.method, call.dataset);
    return new HeldLock(frames, frames.depth() - 1);
  }

  /**
   * Takes the lock for the current thread and pushes the call's frame; the caller closes the frame
   * ({@link CallFrames#close()}) when the guarded call ends. Allocates nothing when the thread
   * re-enters a lock it holds or joins this JVM's read node.
   *
   * <p>A lock the {@link LockTable} retired (evicted while idle) takes no new hold: the call goes
   * to the path's current lock instead, so a caller may keep a reference to a lock as long as it
   * likes.
   *
   * @param dataset the dataset as evaluated, or null for a fixed lock path
   * @throws LockTimeoutException when the lock is not granted within the policy's timeout
   * @throws LockUpgradeException when this thread holds only the read lock and asks for the write
   * @throws DatasetLockException on interrupt or when ZooKeeper refuses
   */
  public void enter(
      CallFrames frames, LockRequest request, Class<?> origin, String method, String dataset) {
    int held = frames.find(this);
    if (held >= 0) {
      Hold hold = frames.hold(held);
      if (request.mode == LockMode.WRITE && hold.mode() == LockMode.READ) {
        throw upgradeRefusal(frames, new LockCall(request, origin, method, dataset));
      }
      frames.push(this, hold, false, request, origin, method, dataset);
      return;
    }
    // Held, kept or shared nodes are never retired (LockTable), so neither branch above nor the
    // join below can reach a retired lock's engine; only the slow path must check.
    if (coalesce && request.mode == LockMode.READ) {
      Hold joined = engine.tryJoin(frames.stripe);
      if (joined != null) {
        stats.joined((ReadShare) joined); // counted in the share by the join itself (C1)
        frames.push(this, joined, true, request, origin, method, dataset);
        return;
      }
    }
    LockCall call = new LockCall(request, origin, method, dataset);
    Hold hold = acquireSlow(frames, call);
    if (hold == null) {
      service.lock(path()).enter(frames, request, origin, method, dataset);
      return;
    }
    frames.push(this, hold, true, request, origin, method, dataset);
    refuseIfAuthFailed(frames, call);
  }

  private LockUpgradeException upgradeRefusal(CallFrames frames, LockCall call) {
    return new LockUpgradeException(
        "the "
            + call.describe(path())
            + " was refused: this thread holds only the read lock of that dataset (taken by"
            + " rule '"
            + frames.rule(frames.first(this))
            + "'), and a read lock can never be upgraded to a write lock. Take the write lock"
            + " in the outer call instead. The call was not run.");
  }

  /**
   * Gives back a hold granted while the login failed, and refuses the call. ZooKeeper goes on
   * without SASL when its login fails on the client, where the server lets it, so a call that
   * queued before the failure was known would get a node of an unauthenticated session. ZooKeeper
   * queues that failure on its event thread before the session connects, and every reply comes
   * after it on that thread, so by the time a node is granted the failure is known.
   */
  private void refuseIfAuthFailed(CallFrames frames, LockCall call) {
    String authProblem = service.authProblem();
    if (authProblem == null) {
      return;
    }
    DatasetLockException refused = authRefusal(call, authProblem);
    try {
      frames.close();
    } catch (RuntimeException lost) {
      refused.addSuppressed(lost);
    }
    throw refused;
  }

  private DatasetLockException authRefusal(LockCall call, String authProblem) {
    return new DatasetLockException(
        "could not take the "
            + call.describe(path())
            + ": "
            + authProblem
            + ". The call was not run.");
  }

  /** The granted hold, or null when this lock was retired and takes no new request. */
  private Hold acquireSlow(CallFrames frames, LockCall call) {
    String authProblem = service.authProblem();
    if (authProblem != null) {
      throw authRefusal(call, authProblem);
    }
    long start = System.nanoTime();
    long deadline = start + TimeUnit.MILLISECONDS.toNanos(call.request.policy.timeoutMillis());
    Request r;
    engine.mu.lock();
    try {
      if (retired) {
        return null;
      }
      // Under the same hold of the engine's lock as the check: retireIfIdle sees this request.
      r = engine.request(call.request.mode, frames.stripe, frames.holderData(service));
    } finally {
      engine.unlock();
    }
    awaitDecision(r, call, start, deadline);
    long waited = System.nanoTime() - start;
    service.recordWait(waited);
    stats.acquisitions.increment();
    stats.waitTimes.record(waited);
    if (r.queued) {
      stats.waited.increment();
    }
    return r.hold;
  }

  /**
   * Retires this lock if it is idle: no call holds or waits for it and this JVM has no node on its
   * path in any phase ({@link LockEngine#idle}). Decided under the engine's lock, with which {@link
   * #acquireSlow} checks {@link #retired} and queues its request, so the two cannot cross. Called
   * by {@link LockTable} only.
   *
   * @return true when the lock is now retired
   */
  boolean retireIfIdle() {
    engine.mu.lock();
    try {
      if (!retired && engine.idle()) {
        retired = true;
      }
      return retired;
    } finally {
      engine.unlock();
    }
  }

  /** True once {@link LockTable} evicted this lock: it takes no new hold. */
  boolean retired() {
    return retired;
  }

  /** Tells the engine that the connection changed. */
  void onConnection(long live) {
    engine.onConnection(live);
  }

  /** Waits until the engine grants or refuses {@code r}, or the deadline passes. */
  private void awaitDecision(Request r, LockCall call, long start, long deadline) {
    int localAhead = -1;
    String blocker = null;
    String holder = null; // who holds the node we queue behind, for a timeout's message
    BooleanSupplier decided = () -> r.state != Request.State.WAITING;
    engine.mu.lock();
    try {
      while (r.state == Request.State.WAITING) {
        OwnNode queued = r.waitsOn;
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          localAhead = engine.localWritersAhead(r);
          blocker = queued == null ? null : queued.blocker;
          holder = blocker == null ? null : engine.holderOf(blocker);
          engine.cancel(r);
          break;
        }
        try {
          engine.await(decided, remaining);
        } catch (InterruptedException e) {
          engine.cancel(r);
          Thread.currentThread().interrupt();
          if (r.state != Request.State.GRANTED) {
            throw new DatasetLockException(
                "interrupted while waiting for the "
                    + call.describe(path())
                    + ". The call was not run.",
                e);
          }
        }
      }
    } finally {
      engine.unlock();
    }
    switch (r.state) {
      case GRANTED:
        return;
      case FAILED:
        throw new DatasetLockException(
            "could not take the "
                + call.describe(path())
                + ": "
                + r.refusal
                + ". The call was not run.");
      default:
        stats.timeouts.increment();
        awaitRemoval(r.leftBehind); // its delete went out as the lock was let go
        throw new LockTimeoutException(timeoutMessage(call, start, localAhead, blocker, holder));
    }
  }

  /**
   * Waits a moment for the node a timed-out call queued to leave ZooKeeper, so that a call that
   * gave up leaves nothing behind it in the queue; bounded well within the 250 ms a timeout may
   * overrun.
   */
  private void awaitRemoval(OwnNode left) {
    if (left == null) {
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REMOVAL_WAIT_MILLIS);
    BooleanSupplier gone = () -> left.phase == OwnNode.Phase.GONE;
    engine.mu.lock();
    try {
      while (left.phase != OwnNode.Phase.GONE) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          return; // removed in the background
        }
        engine.await(gone, remaining);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      engine.unlock();
    }
  }

  private String timeoutMessage(
      LockCall call, long start, int localAhead, String blocker, String holder) {
    String waited =
        "timed out after "
            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
            + " ms waiting for the "
            + call.describe(path());
    if (localAhead > 0) {
      return waited
          + " behind "
          + localAhead
          + " other thread(s) of this JVM that hold or wait for it. The call was not run.";
    }
    if (service.store().liveSession() == 0) {
      return waited
          + ": ZooKeeper at "
          + service.connectString()
          + " is not reachable"
          + (service.security().tls() != null
              ? " over TLS (is that the server's secureClientPort, and does its certificate"
                  + " chain to the trust store and name that host?)"
              : "")
          + (service.authProblem() != null ? " (" + service.authProblem() + ")" : "")
          + ". The call was not run.";
    }
    if (blocker == null) {
      return waited + ". The call was not run.";
    }
    String node = path() + "/" + blocker;
    return waited
        + "; queued behind "
        + node
        + (holder == null || holder.isEmpty() ? "" : " (" + holder + ")")
        + ". The call was not run.";
  }

  /** Ends the outermost call of this thread on this lock (called by {@link CallFrames}). */
  void leave(CallFrames frames, int frame, Hold hold) {
    LockLoss lost = engine.leave(hold, frames.stripe);
    boolean closedShare = hold instanceof ReadShare && !((ReadShare) hold).open;
    if (lost != null || closedShare) {
      afterLeave(frames, frame, hold, lost, closedShare);
    }
  }

  /**
   * What follows a leave that was not simply kept: the counters of a closed share, the wait for a
   * PENDING outcome, the report of a loss. Apart from {@link #leave}, for the same reason as {@code
   * LockEngine.leaveLocked}: the JIT inlines only what every call's end needs.
   */
  private void afterLeave(
      CallFrames frames, int frame, Hold hold, LockLoss lost, boolean closedShare) {
    if (closedShare) {
      stats.leftClosedShare(); // its joins may be final now (C1 of LockCounters)
    }
    if (lost == LockLoss.PENDING) {
      lost = awaitOutcome(hold);
    }
    if (lost != null) {
      service.countLostLock();
      stats.lost.increment();
      LockLossReport.toCall(frames.call(frame), path(), lost);
    }
  }

  /**
   * Waits, at most the connection timeout and whatever the interrupt flag, for ZooKeeper to say
   * whether the node outlived a disconnection; keeps the flag.
   */
  private LockLoss awaitOutcome(Hold hold) {
    boolean interrupted = Thread.interrupted();
    long deadline = System.nanoTime() + service.outcomePatienceNanos();
    BooleanSupplier known = () -> engine.outcome(hold) != LockLoss.PENDING;
    engine.mu.lock();
    try {
      LockLoss out;
      while ((out = engine.outcome(hold)) == LockLoss.PENDING) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          return engine.giveUp(hold);
        }
        try {
          engine.await(known, remaining);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      return out;
    } finally {
      engine.unlock();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
