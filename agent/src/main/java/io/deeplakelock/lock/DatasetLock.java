package io.deeplakelock.lock;

import io.deeplakelock.bridge.DatasetLockException;
import io.deeplakelock.bridge.LockLostException;
import io.deeplakelock.bridge.LockMode;
import io.deeplakelock.bridge.LockTimeoutException;
import io.deeplakelock.bridge.LockUpgradeException;
import io.deeplakelock.rules.LockPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-write lock of one lock path in this JVM; there is exactly one per path.
 *
 * <p><b>Coalescing</b> (the default). Every reading thread of this JVM shares one read node (a
 * {@link ReadLease}): joining it is a counter increment, no ZooKeeper traffic. Writers queue on a
 * fair local lock first, and only its head holds a write node (a {@link WriteLease}); a releasing
 * writer hands the node to the next local writer, but at most {@link #MAX_PASSES_WHILE_CONTENDED}
 * times once another process queues behind it, so other processes are not starved. With {@code
 * linger}, a node whose last local holder left is kept that long for the next local call, and
 * released at once when another contender's node appears. Without coalescing, every outermost
 * guarded call queues a node of its own.
 *
 * <p><b>Reentrancy.</b> Tracked per thread in {@link CallFrames}: a thread that holds the write
 * lock may take it again or take the read lock; a thread that holds the read lock may take it
 * again. A thread holding only the read lock that asks for the write lock is refused at once with
 * {@link LockUpgradeException}: its read node would block it forever.
 *
 * <p><b>Lost locks.</b> A call whose node was deleted, or whose session ended, while it ran reports
 * the loss when it ends (by policy, {@link LockLostException}). Shared nodes are checked with what
 * this JVM knows without a round trip: the session it is connected with, and the queue watch that
 * sees the node go; the call that removes a node also learns it from ZooKeeper's answer.
 */
public final class DatasetLock {

  private static final Logger log = LoggerFactory.getLogger(DatasetLock.class);

  /**
   * While another process waits behind this JVM's write node, how many more local writers may take
   * it in turn before it is released.
   */
  static final int MAX_PASSES_WHILE_CONTENDED = 4;

  /** A node handed to a local writer that gave up waiting is released after this long. */
  private static final long UNCLAIMED_PASS_MILLIS = 100;

  private final LockService service;
  private final LockQueue queue;
  private final LockStats stats = new LockStats();
  private final boolean coalesce;
  private final long lingerNanos;
  private final int stripes;

  private final Object mu = new Object();
  private volatile ReadLease readLease; // the joinable read node, or null
  private boolean readCreating; // guarded by mu: a reader is queueing the next read node
  private boolean writerCreating; // guarded by mu: a writer is queueing; readers wait behind it
  private final ReentrantLock writerGate = new ReentrantLock(true);
  // This JVM's write node: in use, passed or lingering. Cleared only by compare-and-set: a timer
  // releasing an old node must not clear the one a writer has just queued.
  private final AtomicReference<WriteLease> writeLease = new AtomicReference<>();
  private final Set<Lease> live = ConcurrentHashMap.newKeySet();
  private final Set<Thread> waiters = ConcurrentHashMap.newKeySet();

  DatasetLock(LockService service, String path, boolean coalesce, long lingerMillis) {
    this.service = service;
    this.queue = new LockQueue(service, path);
    this.coalesce = coalesce;
    this.lingerNanos = TimeUnit.MILLISECONDS.toNanos(lingerMillis);
    this.stripes = ReadLease.stripesFor(Runtime.getRuntime().availableProcessors());
  }

  /** Observe mode: records whether a call in {@code mode} would wait now; never blocks. */
  public AutoCloseable observe(LockMode mode) {
    return ObserveMarkers.enter(service, queue.path(), mode, stats);
  }

  /** Shadow mode: records that a call would have taken this lock; no ZooKeeper traffic. */
  public void shadow() {
    stats.shadowed.increment();
  }

  /** This lock's counters. */
  public LockStats stats() {
    return stats;
  }

  /** The nodes this JVM holds on the path now, with who uses them. */
  public List<String> holders() {
    List<String> out = new ArrayList<>();
    for (Lease lease : live) {
      String name = lease.nodeName();
      String lost = lease.lost == null ? "" : " (lost: " + lease.lost + ")";
      if (lease instanceof ReadLease) {
        out.add(
            "read node "
                + name
                + " shared by "
                + ((ReadLease) lease).holders()
                + " call(s)"
                + (((ReadLease) lease).open ? "" : ", closed to new readers")
                + lost);
      } else if (lease instanceof WriteLease) {
        WriteLease w = (WriteLease) lease;
        Thread owner = w.owner;
        int state = w.state.get();
        out.add(
            "write node "
                + name
                + (state == WriteLease.IDLE
                    ? " (lingering)"
                    : state == WriteLease.PASSED
                        ? " (handed to the next writer)"
                        : owner != null ? " (" + owner.getName() + ")" : "")
                + lost);
      } else {
        out.add(lease.mode.label() + " node " + name + lost);
      }
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

  /** Outermost guarded calls holding or waiting for this lock now. */
  int callsInFlight() {
    int calls = waiters.size();
    for (Lease lease : live) {
      if (lease instanceof ReadLease) {
        calls += (int) Math.max(0, ((ReadLease) lease).holders());
      } else if (!(lease instanceof WriteLease)
          || ((WriteLease) lease).state.get() == WriteLease.IN_USE) {
        calls++;
      }
    }
    return calls;
  }

  /** The lock's znode path (below the namespace, if any). */
  public String path() {
    return queue.path();
  }

  /**
   * Takes the lock for the current thread within the call's timeout (for callers that want a handle
   * per call; guarded calls use {@link #enter}).
   *
   * @return the hold, to be closed when the guarded call ends; closing it twice does nothing
   */
  public HeldLock acquire(CallSite call) {
    CallFrames frames = service.frames();
    enter(frames, call.rule, call.policy, call.mode, call.origin, call.method, call.dataset);
    return new HeldLock(frames, frames.depth() - 1);
  }

  /**
   * Takes the lock for the current thread and pushes the call's frame; the caller closes the frame
   * ({@link CallFrames#close()}) when the guarded call ends. Allocates nothing when the thread
   * re-enters a lock it holds or joins this JVM's read node.
   *
   * @throws LockTimeoutException when the lock is not granted within the policy's timeout
   * @throws LockUpgradeException when this thread holds only the read lock and asks for the write
   * @throws DatasetLockException on interrupt or when ZooKeeper refuses
   */
  public void enter(
      CallFrames frames,
      String rule,
      LockPolicy policy,
      LockMode mode,
      Class<?> origin,
      String method,
      String dataset) {
    int held = frames.find(this);
    if (held >= 0) {
      Lease lease = frames.lease(held);
      if (mode == LockMode.WRITE && lease.mode == LockMode.READ) {
        throw new LockUpgradeException(
            "the "
                + new CallSite(rule, origin, method, dataset, mode, policy).describe(path())
                + " was refused: this thread holds only the read lock of that dataset (taken by"
                + " rule '"
                + frames.rule(frames.first(this))
                + "'), and a read lock can never be upgraded to a write lock. Take the write lock"
                + " in the outer call instead. The call was not run.");
      }
      frames.push(this, lease, mode, false, rule, policy, origin, method, dataset);
      return;
    }
    if (coalesce && mode == LockMode.READ) {
      ReadLease shared = readLease;
      if (shared != null && tryJoin(shared, frames.stripe)) {
        stats.acquisitions.increment();
        frames.push(this, shared, mode, true, rule, policy, origin, method, dataset);
        return;
      }
    }
    CallSite call = new CallSite(rule, origin, method, dataset, mode, policy);
    Lease lease = acquireSlow(frames, call);
    frames.push(this, lease, mode, true, rule, policy, origin, method, dataset);
  }

  /** Joins {@code shared} if it is still open and of the live session; backs out otherwise. */
  private boolean tryJoin(ReadLease shared, int stripe) {
    if (!shared.open) {
      return false;
    }
    shared.enter(stripe);
    if (shared.open && shared.node.sessionId == service.liveSession()) {
      if (!shared.used) {
        shared.used = true; // a write once per linger period, a read otherwise
      }
      return true;
    }
    if (shared.node.sessionId != service.liveSession()) {
      close(shared); // reconnecting or a new session: new readers queue a node of their own
    }
    backOut(shared, stripe);
    return false;
  }

  /** Undoes a join that found the lease closed; removes the node if that was the last holder. */
  private void backOut(ReadLease shared, int stripe) {
    if (shared.exit(stripe) == 0
        && !shared.open
        && shared.holders() == 0
        && shared.claimRelease()) {
      releaseLater(shared); // the caller may hold the monitor: no ZooKeeper call here
    }
  }

  /**
   * Removes a lease's node in the background, off the caller's (or the timer's) thread: no call
   * waits for it, and one JVM's many removals go to ZooKeeper side by side.
   */
  private void releaseLater(Lease lease) {
    forget(lease);
    service.removeNodeInBackground(
        lease.node,
        gone -> {
          String lost = lease.lost != null ? lease.lost : gone;
          if (lost != null) {
            lostAfterReturn(lease, lost);
          }
        });
  }

  private Lease acquireSlow(CallFrames frames, CallSite call) {
    Thread thread = Thread.currentThread();
    long start = System.nanoTime();
    long deadline = start + TimeUnit.MILLISECONDS.toNanos(call.policy.timeoutMillis());
    waiters.add(thread);
    Lease lease;
    try {
      if (!coalesce) {
        lease = new Lease(queueNode(call, deadline, start), call.mode);
        live.add(lease);
      } else if (call.mode == LockMode.READ) {
        lease = acquireRead(frames, call, start, deadline);
      } else {
        lease = acquireWrite(call, start, deadline);
      }
    } catch (LockTimeoutException e) {
      stats.timeouts.increment();
      throw e;
    } finally {
      waiters.remove(thread);
    }
    long waited = System.nanoTime() - start;
    service.recordWait(waited);
    stats.acquisitions.increment();
    stats.waitTimes.record(waited);
    return lease;
  }

  /** Queues a node of its own for {@code call} and waits for it to hold the lock. */
  private LockNode queueNode(CallSite call, long deadline, long start) {
    LockNode node = queue.acquire(call, deadline - System.nanoTime(), start);
    service.noteSession(node.sessionId);
    stats.nodes.increment();
    stats.lastToken.set(node.czxid);
    if (node.queued) {
      stats.waited.increment();
    }
    return node;
  }

  // ---- readers ----------------------------------------------------------------------------------

  private ReadLease acquireRead(CallFrames frames, CallSite call, long start, long deadline) {
    synchronized (mu) {
      while (true) {
        ReadLease shared = readLease;
        if (shared != null && tryJoin(shared, frames.stripe)) {
          stats.waited.increment(); // it waited for this JVM's read node to be granted
          return shared;
        }
        if (!readCreating && !writerCreating) {
          readCreating = true;
          break;
        }
        awaitLocal(call, start, deadline, "this JVM's queued lock node");
      }
    }
    // This thread queues the next read node; the others of this JVM wait for it above.
    ReadLease created = null;
    try {
      releaseIdleWrite();
      created = new ReadLease(queueNode(call, deadline, start), stripes);
      created.enter(frames.stripe);
      live.add(created);
    } finally {
      synchronized (mu) {
        readCreating = false;
        if (created != null) {
          readLease = created;
        }
        mu.notifyAll();
      }
    }
    armWatch(created); // to close it to new readers once a writer queues behind it
    if (lingerNanos > 0) {
      scheduleLinger(created);
    }
    return created;
  }

  /** Closes a read lease to new joiners; a closed lease is never reopened. */
  private void close(ReadLease shared) {
    synchronized (mu) {
      shared.open = false;
      if (readLease == shared) {
        readLease = null;
      }
      mu.notifyAll();
    }
  }

  private void leaveRead(ReadLease shared, CallFrames frames, int frame) {
    String lost = null;
    // Only a leaver that empties its own stripe can be the last one out; with linger, an open
    // node is left to the linger timer, so leaving never sums the stripes of other cores.
    if (shared.exit(frames.stripe) == 0
        && (!shared.open || lingerNanos == 0)
        && shared.holders() == 0) {
      if (shared.open) {
        close(shared); // the last one out removes it
      }
      if (shared.holders() == 0 && shared.claimRelease()) {
        lost = release(shared);
      }
    }
    if (lost == null) {
      lost = lostWhileHeld(shared);
    }
    if (lost != null) {
      reportLost(frames.call(frame), lost);
    }
  }

  // ---- writers ----------------------------------------------------------------------------------

  private WriteLease acquireWrite(CallSite call, long start, long deadline)
      throws LockTimeoutException {
    try {
      // tryLock() without a timeout would barge past queued writers; a zero timeout keeps order.
      if (!writerGate.tryLock(0, TimeUnit.NANOSECONDS) && !waitForGate(deadline)) {
        throw new LockTimeoutException(
            "timed out after "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
                + " ms waiting for the "
                + call.describe(path())
                + " behind "
                + (writerGate.getQueueLength() + 1)
                + " other thread(s) of this JVM that hold or wait for it. The call was not run.");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DatasetLockException(
          "interrupted while waiting for the " + call.describe(path()) + ". The call was not run.",
          e);
    }
    boolean granted = false;
    try {
      WriteLease w = writeLease.get();
      if (w == null || !claim(w)) {
        w = createWrite(call, start, deadline);
      }
      w.owner = Thread.currentThread();
      granted = true;
      return w;
    } finally {
      if (!granted) {
        writerGate.unlock();
      }
    }
  }

  /** Waits in the fair local writer queue; counts the wait once over; false on the deadline. */
  private boolean waitForGate(long deadline) throws InterruptedException {
    boolean entered =
        writerGate.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    if (entered) {
      stats.waited.increment(); // not before: a thread still waiting is a waiter, not a count
    }
    return entered;
  }

  /** Takes over a passed or lingering write node, if it is still ours; false otherwise. */
  private boolean claim(WriteLease w) {
    int state = w.state.get();
    if (state != WriteLease.PASSED && state != WriteLease.IDLE) {
      return false;
    }
    if (w.lost == null && w.node.sessionId == service.sessionId()) {
      if (w.state.compareAndSet(state, WriteLease.IN_USE)) {
        stats.reused.increment();
        return true;
      }
      return false; // the linger timer or the queue watch released it just now
    }
    if (w.state.compareAndSet(state, WriteLease.RELEASED) && w.claimRelease()) {
      String lost = release(w);
      lostAfterReturn(w, lost != null ? lost : "its ZooKeeper session changed");
    }
    return false; // and the caller queues a fresh node
  }

  private WriteLease createWrite(CallSite call, long start, long deadline) {
    ReadLease shared;
    synchronized (mu) {
      writerCreating = true;
      shared = readLease;
    }
    try {
      if (shared != null) {
        close(shared); // later local readers queue behind this writer
        if (shared.holders() == 0 && shared.claimRelease()) {
          String lost = release(shared); // an idle lingering read node would block us
          if (lost != null) {
            lostAfterReturn(shared, lost);
          }
        }
      }
      WriteLease w = new WriteLease(queueNode(call, deadline, start));
      live.add(w);
      writeLease.set(w);
      return w;
    } finally {
      synchronized (mu) {
        writerCreating = false;
        mu.notifyAll();
      }
    }
  }

  private void leaveWrite(WriteLease w, CallFrames frames, int frame) {
    String lost;
    try {
      lost = lostWhileHeld(w);
      w.owner = null;
      if (lost == null && keep(w)) {
        return;
      }
      w.state.set(WriteLease.RELEASED);
      String gone = w.claimRelease() ? release(w) : null;
      if (lost == null) {
        lost = gone;
      }
    } finally {
      writerGate.unlock();
    }
    if (lost != null) {
      reportLost(frames.call(frame), lost);
    }
  }

  /** Hands the node to the next local writer, or lets it linger; false to release it now. */
  private boolean keep(WriteLease w) {
    boolean localWriterWaits = writerGate.hasQueuedThreads();
    if (localWriterWaits
        && (!w.contended || w.passesWhileContended++ < MAX_PASSES_WHILE_CONTENDED)) {
      armWatch(w);
      w.state.set(WriteLease.PASSED);
      stats.passes.increment();
      if (w.contended) {
        stats.contendedPasses.increment();
      }
      if (w.passCheckScheduled.compareAndSet(false, true)) {
        service.schedule(() -> checkUnclaimed(w), UNCLAIMED_PASS_MILLIS);
      }
      return true;
    }
    if (localWriterWaits || lingerNanos == 0 || w.contended) {
      return false;
    }
    w.idleSince = System.nanoTime();
    w.state.set(WriteLease.IDLE);
    if (w.contended) {
      releaseIdle(w); // the watch saw a contender while we were deciding
    } else {
      scheduleLinger(w);
    }
    return true;
  }

  /**
   * Runs on the agent's timer while a write node is being handed on: a node passed to a local
   * writer that then gave up (timed out, interrupted) is released rather than kept forever.
   */
  private void checkUnclaimed(WriteLease w) {
    int state = w.state.get();
    if (state == WriteLease.PASSED
        && !writerGate.isLocked()
        && w.state.compareAndSet(WriteLease.PASSED, WriteLease.RELEASED)
        && w.claimRelease()) {
      releaseLater(w);
      return;
    }
    if (state == WriteLease.PASSED || state == WriteLease.IN_USE) {
      service.schedule(() -> checkUnclaimed(w), UNCLAIMED_PASS_MILLIS);
    } else {
      w.passCheckScheduled.set(false);
    }
  }

  /** Releases a lingering write node, unless a local writer claimed it first. */
  private void releaseIdle(WriteLease w) {
    if (w.state.compareAndSet(WriteLease.IDLE, WriteLease.RELEASED) && w.claimRelease()) {
      releaseLater(w);
    }
  }

  /** A reader is about to queue: a lingering write node of ours would only block it. */
  private void releaseIdleWrite() {
    WriteLease w = writeLease.get();
    if (w != null
        && w.state.compareAndSet(WriteLease.IDLE, WriteLease.RELEASED)
        && w.claimRelease()) {
      String lost = release(w);
      if (lost != null) {
        lostAfterReturn(w, lost);
      }
    }
  }

  // ---- lingering and the queue watch ------------------------------------------------------------

  /**
   * Starts watching the queue behind a node: to close or release it when another contender queues,
   * and to see it go. Read nodes are watched from the start (any of them may be shared); a write
   * node only once it outlives its first call (handed on or lingering): a node used by one call
   * needs no watch, since its removal tells that call whether it was lost.
   */
  private void armWatch(Lease lease) {
    if (lease.watchArmed.compareAndSet(false, true)) {
      queue.watch(lease, this::onQueueChange);
    }
  }

  private void scheduleLinger(Lease lease) {
    armWatch(lease);
    if (lease.lingerScheduled.compareAndSet(false, true)) {
      service.schedule(() -> lingerExpired(lease), TimeUnit.NANOSECONDS.toMillis(lingerNanos) + 1);
    }
  }

  /** Runs on the agent's timer: releases the lease if it stayed idle for the whole linger. */
  private void lingerExpired(Lease lease) {
    lease.lingerScheduled.set(false);
    long idleSince;
    if (lease instanceof ReadLease) {
      // A read node is checked every linger period: kept while calls joined it since the last
      // check, removed once a whole period passed without any.
      ReadLease shared = (ReadLease) lease;
      if (!shared.open || shared.released()) {
        return;
      }
      if (shared.used) {
        shared.used = false;
      } else if (shared.holders() == 0) {
        close(shared);
        if (shared.holders() == 0 && shared.claimRelease()) {
          releaseLater(shared);
        }
        return;
      }
      scheduleLinger(shared);
      return;
    } else {
      WriteLease w = (WriteLease) lease;
      idleSince = w.idleSince;
      if (w.state.get() != WriteLease.IDLE) {
        return;
      }
      if (System.nanoTime() - idleSince >= lingerNanos) {
        releaseIdle(w);
        return;
      }
    }
    if (idleSince != 0 && !lease.released()) {
      scheduleLinger(lease); // used again meanwhile and idle again since: wait out the rest
    }
  }

  /** The queue watch's report: the contenders on the path now, in queue order. */
  private void onQueueChange(Lease lease, List<LockNodeName.Contender> contenders) {
    String ours = lease.nodeName();
    boolean present = false;
    boolean otherWriter = false;
    boolean other = false;
    for (LockNodeName.Contender c : contenders) {
      if (c.name.equals(ours)) {
        present = true;
      } else {
        other = true;
        otherWriter |= c.write;
      }
    }
    if (!present) {
      lease.lost = "its lock node was deleted";
    }
    if (lease instanceof ReadLease) {
      ReadLease shared = (ReadLease) lease;
      if (otherWriter || !present) {
        close(shared);
        if (shared.holders() == 0 && shared.claimRelease()) {
          releaseLater(shared);
        }
      }
    } else if (lease instanceof WriteLease) {
      WriteLease w = (WriteLease) lease;
      if (other || !present) {
        w.contended = true;
        if (w.state.get() == WriteLease.IDLE) {
          releaseIdle(w);
        }
      }
    }
  }

  /** After a reconnection: re-arms the queue watches that failed while ZooKeeper was away. */
  void rewatch() {
    for (Lease lease : live) {
      if (lease.watchBroken && !lease.released()) {
        lease.watchBroken = false;
        queue.watch(lease, this::onQueueChange);
      }
    }
  }

  // ---- leaving, releasing, losing ---------------------------------------------------------------

  /** Ends the outermost call of this thread on this lock (called by {@link CallFrames}). */
  void leave(CallFrames frames, int frame, Lease lease) {
    if (lease instanceof ReadLease) {
      leaveRead((ReadLease) lease, frames, frame);
    } else if (lease instanceof WriteLease) {
      leaveWrite((WriteLease) lease, frames, frame);
    } else if (lease.claimRelease()) {
      String lost = release(lease);
      if (lost != null) {
        reportLost(frames.call(frame), lost);
      }
    }
  }

  /**
   * What this JVM knows, without a round trip, about whether a node it still keeps was lost: the
   * queue watch saw it go, or the session changed. While disconnected it waits, as a removal does,
   * for ZooKeeper to say whether the session survived.
   */
  private String lostWhileHeld(Lease lease) {
    String lost = lease.lost;
    if (lost != null) {
      return lost;
    }
    if (lease.node.sessionId == service.liveSession()) {
      return null;
    }
    return service.awaitSession(lease.node.sessionId);
  }

  /** Removes the lease's node; returns why the lock had been lost, or null. */
  private String release(Lease lease) {
    forget(lease);
    String gone = service.removeNode(lease.node);
    String known = lease.lost;
    return known != null ? known : gone;
  }

  /** Drops a lease whose node is being removed from this lock's state. */
  private void forget(Lease lease) {
    live.remove(lease);
    synchronized (mu) {
      if (readLease == lease) {
        readLease = null;
      }
    }
    if (lease instanceof WriteLease) {
      writeLease.compareAndSet((WriteLease) lease, null);
    }
    stats.holdTimes.record(System.nanoTime() - lease.node.acquiredAtNanos);
  }

  private void reportLost(CallSite call, String lostBecause) {
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
   * A kept node found lost by its remover when no call held it any more. The calls that used it
   * checked at their ends what this JVM knew then; a loss ZooKeeper had not reported by then may
   * still have overlapped one of them, so it is logged (not counted: it may as well have happened
   * while the node lingered unused).
   */
  private void lostAfterReturn(Lease lease, String lostBecause) {
    log.warn(
        "the {} lock node {} of this JVM was lost ({}) after its last call ended; if that"
            + " happened during the call, the call may have overlapped another process",
        lease.mode.label(),
        lease.node.path,
        lostBecause);
  }

  /** Waits on the local monitor for the lease being created; the caller holds {@link #mu}. */
  private void awaitLocal(CallSite call, long start, long deadline, String behind) {
    long remaining = deadline - System.nanoTime();
    if (remaining <= 0) {
      throw new LockTimeoutException(
          "timed out after "
              + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
              + " ms waiting for the "
              + call.describe(path())
              + " behind "
              + behind
              + ". The call was not run.");
    }
    try {
      TimeUnit.NANOSECONDS.timedWait(mu, remaining);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DatasetLockException(
          "interrupted while waiting for the " + call.describe(path()) + ". The call was not run.",
          e);
    }
  }
}
