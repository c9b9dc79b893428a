package io.deeplakelock.lock;

import io.deeplakelock.bridge.LockMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The lock of one lock path in this JVM as a state machine: every decision about its ZooKeeper
 * nodes (create, grant, share, pass, keep, remove, lose) is made here, and nothing here blocks.
 * {@link DatasetLock} adds the waiting, the re-entry and the messages.
 *
 * <p><b>Invariants</b> (each checked by {@code LockEngineSimulationTest} after every step, and
 * named where it is enforced):
 *
 * <ul>
 *   <li><b>I1, exclusion.</b> A call is granted only a node that ZooKeeper's queue shows first
 *       among the contenders it conflicts with ({@link #onChildren}), or one of a call's own whose
 *       every conflicting contender ahead in a listing that showed it has since been seen deleted
 *       (sequence numbers only grow, so none can come ahead later: {@link #grantIfClear}), or one
 *       this JVM already runs calls under and still trusts ({@link OwnNode#trusted}): a read share,
 *       or the write node handed from writer to writer in this JVM one at a time ({@link
 *       #leaveWrite}).
 *   <li><b>I2, loss is reported.</b> A node is watched from the reply to its create on: a node that
 *       calls may share or take over carries a deletion watch of its own ({@link #watchNode}), and
 *       a listing of the path sent after the create's reply that lacks the node marks it lost
 *       ({@link #judge}); a listing sent right behind one call's own create judges the node only if
 *       it shows it ({@link #pipelinedWith}). A call's own node gets its deletion watch when the
 *       first local writer comes to take it over ({@link #dispatchWriters}), and is handed over
 *       only once that watch is set: its read finds the node, or marks it lost ({@link #handOver}).
 *       It gets it too when it waits behind contenders it watches all of ({@link #waitFor}), and is
 *       granted on their deletion only once that watch is set: a deletion of the node before theirs
 *       is then heard first ({@link #grantIfClear}). A disconnection or a watch that cannot be set
 *       makes nodes suspect ({@link #onConnection}, {@link #onChildren}); a suspect or lost node is
 *       never granted, joined, passed or kept ({@link OwnNode#trusted}). A call ending under a lost
 *       node gets the reason from {@link #leave}; the call that removes a node waits for the
 *       delete's answer; one ending while ZooKeeper is away, or before it showed the node again,
 *       gets {@link LockLoss#PENDING} and the answer once a listing sent after its end shows the
 *       node ({@link #leave}), or {@link LockLoss#UNCONFIRMED}.
 *   <li><b>I3, token order.</b> Follows from I1: a node's czxid exceeds those of every node queued
 *       before it, and a write grant is made only once those are gone.
 *   <li><b>I4, bounded calls.</b> Nothing here waits: ZooKeeper requests are decided under the lock
 *       and sent after it is released ({@link #unlock}), asynchronously; a call waits only in
 *       {@link DatasetLock}, in {@link #await}, with its deadline.
 *   <li><b>I5, liveness.</b> All state changes happen under {@link #mu} and end with {@link
 *       #dispatch}, which wakes each waiting call whose wait is over ({@link #wakeTheDone}), so no
 *       wake-up is lost; each call sleeps on a condition of its own, so a reply that decides
 *       nothing for it does not wake it. An idle node is removed when the linger ends; once another
 *       contender queues behind a write node, this JVM keeps using it for at most a fixed linger
 *       time (not at all with adaptive lingering, the default: {@link #mayKeep}) and then hands it
 *       to at most {@link #MAX_PASSES_WHILE_CONTENDED} more local writers (a call's own node taken
 *       over counts as contended from the take-over on, as it hears no queue); a read share closes
 *       once a writer queues behind it. Who hears what: a waiting node watches the node it waits
 *       for (the nearest conflicting contender ahead of it, as Curator's and kazoo's waiters do)
 *       and lists the queue when that node goes or is found gone ({@link #watchBlocker}), except
 *       one call's own node behind at most {@link #MAX_BLOCKERS_WATCHED} conflicting contenders,
 *       which watches each of them and is granted when the last goes ({@link #waitFor}); a node
 *       that calls may share or keep watches the queue while nobody is queued behind it ({@link
 *       #wantsQueueWatch}), so the first contender's arrival is heard, and stops once one is. One
 *       call's own node ({@code coalesce: false}, or {@link #takesOwnNode} on a path other
 *       processes use) watches no queue at all.
 *   <li><b>I6, clean up.</b> Every node ends {@code GONE}: removed by us, or known gone. The path's
 *       children are watched only while this JVM has a node there, with one watcher object; a
 *       blocker is watched once per session, and every node watch ends with its node.
 * </ul>
 *
 * <p><b>One class on purpose.</b> It is long because it is the single owner of one lock path's
 * state: the nodes, the read shares, the write hand-off, the waiting requests and what the
 * connection last said. Every transition reads and changes several of them under one lock; the
 * engine it replaces spread them over five classes, and no invariant had a home. The pieces it owns
 * ({@link OwnNode}, {@link ReadShare}, {@link WriteHandoff}, {@link SoloNode}, {@link Request})
 * hold state only.
 *
 * <p><b>Threads.</b> Application threads call {@link #tryJoin}, {@link #request}, {@link #cancel}
 * and {@link #leave}; the store's event thread delivers replies, watch notifications and {@link
 * #onConnection}; the timer thread runs the linger checks and the recounts of closed shares ({@link
 * #scheduleRecount}). <b>Guarded by {@link #mu}</b>: all fields, and the fields of the nodes, holds
 * and requests, except those marked volatile, which the read fast path reads without the lock, and
 * {@link OtherProcesses}, shared with the JVM's other engines, a hint of volatile fields read and
 * written under each engine's own lock. <b>Lock order:</b> {@link #mu} is a leaf: while holding it
 * the engine only queues timer tasks and writes that hint; store requests wait in the outbox until
 * the lock is let go.
 */
final class LockEngine {

  /**
   * While another contender waits behind this JVM's write node, how many more local writers may
   * take it in turn before it is released.
   */
  static final int MAX_PASSES_WHILE_CONTENDED = 4;

  /**
   * A waiting node of one call's own with at most this many conflicting contenders ahead watches
   * them all and is granted when they are gone without listing the queue again ({@link #waitFor}):
   * two covers the usual queue of three services on one dataset, and bounds the extra notifications
   * a holder's deletion sends.
   */
  static final int MAX_BLOCKERS_WATCHED = 2;

  /**
   * The shortest window of adaptive lingering (the default, {@code linger} unset): a node unused by
   * this JVM for a whole window is given up, one used within it is kept for the next. The window
   * follows this JVM's own pace on the path ({@link #forecast}): twice its typical interval between
   * calls there, never shorter than this.
   */
  static final long ADAPTIVE_WINDOW_NANOS = 10_000_000L;

  /**
   * The longest window of adaptive lingering: a kept node goes within two seconds of its last use
   * (a read share is looked at once a window), and a JVM that calls on a path less often than once
   * a second keeps no node there between calls, so an idle service holds no node for long and the
   * lock table can drop its lock.
   */
  static final long MAX_ADAPTIVE_WINDOW_NANOS = 1_000_000_000L;

  /**
   * Adaptive lingering keeps nothing on a path where another process queued a conflicting node this
   * recently: keeping only makes its next turn wait, and a JVM that reuses a node nobody was seen
   * behind yet runs many calls before it hears of the next contender.
   */
  static final long OTHERS_QUIET_NANOS = 1_000_000_000L;

  /** The first recount of a closed share still held (S5 of {@link ReadShare}). */
  static final long RECOUNT_FIRST_NANOS = 1_000_000L;

  /** The longest interval between recounts of a closed share whose readers still hold it. */
  static final long RECOUNT_MAX_NANOS = 100_000_000L;

  /** How the engine shares nodes. */
  static final class Settings {
    final boolean coalesce;

    /** How long an unused node is kept: the fixed linger, or the shortest adaptive window. */
    final long lingerNanos;

    /**
     * Lingering adapts (the default): a node whose last call ended is kept only while this JVM's
     * own demand predicts reuse (a call on the path came less than a window after the previous one
     * stopped using a node, or while one was in use; a kept node unused for a whole window ends the
     * forecast), no other process's conflicting node was seen on the path for {@link
     * #OTHERS_QUIET_NANOS}, and none is queued behind it. It is given up the moment one is, even
     * while a local call still uses it (no grace period, unlike a fixed {@code linger}). A write
     * node that had to queue behind another process is not kept at all, and where another process
     * was seen lately (for a writer: on the path, or on any other of this JVM's when others used
     * this path before, {@link OtherProcesses}) a call with nothing local to share takes a node of
     * its own ({@link LockEngine#takesOwnNode}).
     */
    final boolean adaptive;

    final int stripes;

    /**
     * @param lingerNanos a fixed linger, 0 for none, or negative for adaptive lingering
     */
    Settings(boolean coalesce, long lingerNanos, int stripes) {
      this.coalesce = coalesce;
      this.adaptive = lingerNanos < 0;
      this.lingerNanos = adaptive ? ADAPTIVE_WINDOW_NANOS : lingerNanos;
      this.stripes = stripes;
    }
  }

  /** Told of the queue each time it is read, for warnings about other client families. */
  interface QueueListener {
    void queue(String path, List<LockNodeName.Contender> contenders);
  }

  private static final long RELIST_RETRY_NANOS = 100_000_000L;

  final ReentrantLock mu = new ReentrantLock();

  /** One call waiting in {@link #await}: what it waits for, and the condition it sleeps on. */
  private static final class Wait {
    final BooleanSupplier done;
    final Condition woken;

    Wait(BooleanSupplier done, Condition woken) {
      this.done = done;
      this.woken = woken;
    }
  }

  /** The calls waiting now ({@link #await}); guarded by mu. */
  private final List<Wait> waits = new ArrayList<>();

  /** Wake-ups of a waiting call that found what it waits for not done yet; guarded by mu. */
  private long needlessWakeups;

  private final String path;
  private final NodeStore store;
  private final LockClock clock;
  private final Settings settings;
  private final LockCounters stats;
  private final QueueListener queueListener;
  private final Runnable onWatch = this::watchFired;

  private final List<OwnNode> nodes = new ArrayList<>(); // every node not yet GONE
  // Store requests decided under the lock, sent by the thread that made them once it lets go of
  // the lock: the store may then block briefly or even reply on that thread without harm.
  private final ArrayList<Runnable> outbox = new ArrayList<>();
  private final ArrayDeque<Request> writers = new ArrayDeque<>(); // waiting for the write node
  private final List<Request> readers = new ArrayList<>(); // waiting for a read share to exist
  private final List<SoloNode> solos = new ArrayList<>();
  private WriteHandoff write; // this JVM's write node, or null
  private ReadShare pendingRead; // a read share not granted yet, open to joiners
  private volatile ReadShare openRead; // the granted read share open to joiners (fast path)
  private long listingsSent;
  private boolean relistScheduled;

  /** The queue watch is registered (the reply to a watched listing came, its event has not). */
  private boolean queueWatchArmed;

  /** The session the queue watch was registered in: a new session has none. */
  private long queueWatchSession;

  /** The number of the last listing sent with the queue watch. */
  private long lastWatchedListing;

  /**
   * Adaptive lingering's forecast: this JVM will call again on the path within the window, and no
   * other process's contender (for a write node) or writer (for a read node) was seen there lately,
   * so a node whose last call ended is worth keeping. Written under {@link #mu}; read without it by
   * a reader's leave.
   */
  private volatile boolean keepWrite;

  private volatile boolean keepRead;

  /** When a listing last showed another process's contender, and another process's writer. */
  private long othersSeenAt;

  private long otherWriterSeenAt;

  private boolean othersSeen;
  private boolean otherWriterSeen;

  /** This JVM's sightings of other processes on any path (a hint shared by its engines). */
  private final OtherProcesses others;

  /**
   * At the last forecast: another process was seen lately on this path, or on some other path of
   * this JVM's while this one has seen other processes before.
   */
  private boolean othersOnAnyPathLately;

  /**
   * At the last forecast: another process's contender, and another process's writer, was seen on
   * the path less than {@link #OTHERS_QUIET_NANOS} ago.
   */
  private boolean othersLately;

  private boolean otherWriterLately;

  /**
   * How long a node unused by this JVM is kept: the fixed linger, or adaptive lingering's window,
   * twice {@link #typicalGap} within [{@link #ADAPTIVE_WINDOW_NANOS}, {@link
   * #MAX_ADAPTIVE_WINDOW_NANOS}].
   */
  private long window;

  /**
   * This JVM's typical interval between requests on the path (a moving average, each new interval
   * weighing a quarter); negative before the second request.
   */
  private long typicalGap = -1;

  /** When this JVM last asked for the lock on the path ({@link #request}), and whether it has. */
  private long lastRequestAt;

  private boolean requestedBefore;

  /** When this JVM last stopped using a node of the path: the start of a gap in its demand. */
  private long unusedSince;

  /** {@link #unusedSince} is set. */
  private boolean stoppedBefore;

  /** Nodes ahead of ours whose deletion we watch (each once), by path. */
  private final Map<String, BlockerWatch> blockersWatched = new HashMap<>();

  /** A watch on a node ahead of ours: the session it was set in, and who holds the node. */
  private static final class BlockerWatch {
    final long session;

    /** From the data the watch read returned, for a timed-out call's message; null until then. */
    String holder;

    BlockerWatch(long session) {
      this.session = session;
    }
  }

  LockEngine(
      String path,
      NodeStore store,
      LockClock clock,
      Settings settings,
      LockCounters stats,
      QueueListener queueListener,
      OtherProcesses others) {
    this.path = path;
    this.store = store;
    this.clock = clock;
    this.settings = settings;
    this.window = settings.lingerNanos;
    this.stats = stats;
    this.queueListener = queueListener;
    this.others = others;
  }

  String path() {
    return path;
  }

  /** Queues a store request; it is sent when this thread releases the lock ({@link #unlock}). */
  private void send(Runnable request) {
    outbox.add(request);
  }

  /**
   * Releases {@link #mu}; the outermost release also sends the store requests queued under it, so
   * that no store call is ever made while the lock is held.
   */
  void unlock() {
    if (mu.getHoldCount() > 1 || outbox.isEmpty()) {
      mu.unlock();
      return;
    }
    Runnable[] requests = outbox.toArray(new Runnable[0]);
    outbox.clear();
    mu.unlock();
    for (Runnable request : requests) {
      request.run();
    }
  }

  // ---- calls ------------------------------------------------------------------------------------

  /** The read fast path: joins the open, granted read share without the lock; null otherwise. */
  Hold tryJoin(int stripe) {
    ReadShare s = openRead;
    return s != null && s.tryJoin(stripe, store.liveSession()) ? s : null;
  }

  /** Asks for the lock; never blocks. The request may come back granted already. */
  Request request(LockMode mode, int stripe, byte[] data) {
    Request r = new Request(mode, stripe, Thread.currentThread(), data);
    mu.lock();
    try {
      forecast();
      giveUpUnusedOfTheOtherMode(mode);
      if (!settings.coalesce || takesOwnNode(mode)) {
        OwnNode n = new OwnNode(mode, data);
        SoloNode solo = new SoloNode(n, r);
        n.hold = solo;
        solos.add(solo);
        r.waitsOn = n;
      } else if (mode == LockMode.READ) {
        readers.add(r);
      } else {
        writers.add(r);
      }
      dispatch();
      return r;
    } finally {
      unlock();
    }
  }

  /** The caller stopped waiting (deadline, interrupt): withdraws a request not yet granted. */
  void cancel(Request r) {
    mu.lock();
    try {
      if (r.state != Request.State.WAITING) {
        return;
      }
      r.state = Request.State.CANCELLED;
      writers.remove(r);
      readers.remove(r);
      OwnNode n = r.waitsOn;
      r.waitsOn = null;
      if (n != null) {
        Hold h = n.hold;
        if (h instanceof SoloNode) {
          if (((SoloNode) h).request == r) { // else r waited to take over another call's node
            solos.remove(h);
            release(n);
          }
        } else if (h instanceof ReadShare) {
          ReadShare s = (ReadShare) h;
          s.waiting.remove(r);
          if (s.waiting.isEmpty() && n.phase != OwnNode.Phase.HELD) {
            close(s);
            release(n);
          }
        } else if (h == write
            && write.state == WriteHandoff.State.QUEUING
            && !hasWaiting(writers)) {
          releaseWrite(write);
        }
      }
      if (n != null && n.phase != OwnNode.Phase.GONE && n.hold != null && !isUsed(n)) {
        r.leftBehind = n; // being removed: the caller may wait a moment for it to go
      }
      dispatch();
    } finally {
      unlock();
    }
  }

  /** Whether calls still want {@code n}: it is not being removed for nobody. */
  private boolean isUsed(OwnNode n) {
    return n.phase == OwnNode.Phase.HELD
        || ((n.phase == OwnNode.Phase.QUEUED || n.phase == OwnNode.Phase.CREATING) && !n.abandoned);
  }

  /**
   * Ends a call that ran under {@code hold}.
   *
   * @return null when the node was held to the end as far as this JVM knows; {@link
   *     LockLoss#PENDING} when the answer must wait ({@link #outcome}): for the reply to the delete
   *     of the node this call was the last to use, or for ZooKeeper to come back; else why the lock
   *     was lost
   */
  LockLoss leave(Hold hold, int stripe) {
    if (hold instanceof ReadShare) {
      ReadShare s = (ReadShare) hold;
      if (leavesByStore(s, stripe)) {
        // Kept anyway: whether this was the last reader decides nothing while the share is open,
        // so no fence. A close this read of open misses is caught by the recount (S5).
        s.exitOwn(stripe);
        if (s.node.outcome() == null && s.open) {
          return null;
        }
      } else {
        long left = s.exit(stripe);
        LockLoss out = s.node.outcome();
        // Others still read under it, or linger keeps it: nothing to decide, no lock taken.
        if (out == null
            && s.open
            && (left > 0 || keepsUnused(LockMode.READ) || s.anyHolder(stripe))) {
          return null;
        }
      }
    }
    return leaveLocked(hold);
  }

  /**
   * The part of {@link #leave} that takes the engine's lock. Apart, so that the JIT does not inline
   * it into every guarded call's end: a read join and leave measured about 2 ns faster so ({@code
   * LockFastPathBenchmark}, {@code GuardedCallBenchmark}).
   */
  private LockLoss leaveLocked(Hold hold) {
    mu.lock();
    try {
      OwnNode n = hold.node;
      if (hold instanceof WriteHandoff) {
        leaveWrite((WriteHandoff) hold);
      } else if (hold instanceof SoloNode) {
        solos.remove(hold);
        if (!handOver((SoloNode) hold)) {
          release(n);
          stoppedUsing();
        }
      } // a read share is reaped by dispatch
      dispatch();
      if (n.phase == OwnNode.Phase.REMOVING) {
        n.removalAwaited = true; // this call removed it: ZooKeeper's answer says if it was ours
      }
      LockLoss out = n.outcome();
      if (out == LockLoss.PENDING) {
        n.awaited = true;
        if (n.unconfirmed && n.phase == OwnNode.Phase.HELD) {
          // Only a listing ZooKeeper applies after this call's end answers for it: one applied
          // before could precede a deletion whose notification is still on its way.
          n.confirmAfter = listingsSent;
          relist();
        }
      }
      return out;
    } finally {
      unlock();
    }
  }

  /**
   * Whether {@link #leave} counts {@code stripe}'s thread out of {@code s} by a release store (S5
   * of {@link ReadShare}): where its count is its own, while an unused share is kept anyway.
   */
  boolean leavesByStore(ReadShare s, int stripe) {
    return keepsUnused(LockMode.READ) && s.ownsCount(stripe);
  }

  /** For a leave that was PENDING: the answer now (still PENDING while ZooKeeper is away). */
  LockLoss outcome(Hold hold) {
    return hold.node.outcome();
  }

  /** The wait for a PENDING outcome ended: what is still unknown is reported as unconfirmed. */
  LockLoss giveUp(Hold hold) {
    LockLoss out = hold.node.outcome();
    return out == LockLoss.PENDING ? LockLoss.UNCONFIRMED : out;
  }

  /** Hands the node on to the next local writer, keeps it idle, or removes it. */
  private void leaveWrite(WriteHandoff w) {
    OwnNode n = w.node;
    w.owner = null;
    if (n.trusted(store.liveSession())) {
      Request next = firstWaiting(writers);
      if (next != null && (mayKeep(n) || w.passesWhileContended < MAX_PASSES_WHILE_CONTENDED)) {
        pass(w, next);
        return;
      }
      // Adaptive lingering keeps no write node that had to queue behind another process: that
      // process is likely to queue again, and would wait for the give-up.
      if (next == null
          && keepsUnused(LockMode.WRITE)
          && mayKeep(n)
          && !(settings.adaptive && n.waited)) {
        w.state = WriteHandoff.State.IDLE;
        w.idleSince = clock.nanoTime();
        scheduleCheck(w, keepLeft(w));
        return;
      }
    }
    stoppedUsing();
    releaseWrite(w);
  }

  private void pass(WriteHandoff w, Request next) {
    writers.remove(next);
    if (w.node.contended) {
      w.passesWhileContended++;
      stats.contendedPasses.increment();
    }
    w.state = WriteHandoff.State.IN_USE;
    stats.passes.increment();
    stats.reused.increment();
    w.owner = next;
    next.grant(w);
  }

  /**
   * A call's own write node that local writers may wait for and take over, rather than queue a node
   * of their own behind it: one not given up, with no sign of loss. Null when there is none.
   */
  private SoloNode soloWriteNode() {
    for (SoloNode solo : solos) {
      OwnNode n = solo.node;
      if (n.mode == LockMode.WRITE
          && solo.request.state != Request.State.CANCELLED
          && !n.abandoned
          && isUsed(n)
          && n.lost == null
          && !n.suspect) {
        return solo;
      }
    }
    return null;
  }

  /**
   * The call of {@code solo}'s own write node left while local writers wait for it: the node
   * becomes this JVM's write node and passes to the first of them, if it is trusted (its deletion
   * watch, set when the first of them came, has answered, and no sign of loss since). A node taken
   * on its own because other processes were seen lately hears no queue, so it counts as contended
   * from now on: at most {@link #MAX_PASSES_WHILE_CONTENDED} passes, never kept idle.
   *
   * @return whether it was handed over; if not, the caller removes it
   */
  private boolean handOver(SoloNode solo) {
    OwnNode n = solo.node;
    Request next = firstWaiting(writers);
    // handOn is set only on write nodes (soloWriteNode).
    if (next == null || write != null || !solo.handOn || !n.trusted(store.liveSession())) {
      return false;
    }
    WriteHandoff w = new WriteHandoff(n);
    n.hold = w;
    write = w;
    if (!n.contended) {
      n.contended = true;
      n.contendedSince = clock.nanoTime();
    }
    pass(w, next);
    return true;
  }

  // ---- dispatch: what waits, and what it needs ---------------------------------------------

  /** Grants what can be granted now and queues the nodes that waiting calls need. */
  private void dispatch() {
    reapShares();
    dispatchWriters();
    dispatchReaders();
    dispatchSolos();
    wakeTheDone();
  }

  /** The waiting writers wait on {@code n} now (what a timeout's message names). */
  private void writersWaitOn(OwnNode n) {
    for (Request r : writers) {
      r.waitsOn = n;
    }
  }

  private void dispatchWriters() {
    Request head = firstWaiting(writers);
    if (head == null) {
      return;
    }
    WriteHandoff w = write;
    if (w != null) {
      if (w.state != WriteHandoff.State.IDLE) {
        writersWaitOn(w.node);
        return; // granted with its node, or passed when its owner leaves
      }
      if (w.node.trusted(store.liveSession()) && mayKeep(w.node)) {
        writers.remove(head);
        w.state = WriteHandoff.State.IN_USE;
        w.owner = head;
        stats.reused.increment();
        head.grant(w);
        return;
      }
      releaseWrite(w);
    }
    SoloNode solo = soloWriteNode();
    if (solo != null) {
      writersWaitOn(solo.node);
      if (!solo.handOn) {
        solo.handOn = true;
        if (solo.node.path != null) {
          watchNode(solo.node); // not created yet: watched from its create's reply on
        }
      }
      return; // handed over when its call leaves (handOver)
    }
    if (store.liveSession() == 0) {
      return; // queued once the connection is back
    }
    OwnNode n = new OwnNode(LockMode.WRITE, head.data);
    write = new WriteHandoff(n);
    n.hold = write;
    writersWaitOn(n);
    // Phase fairness: readers of this JVM from now on queue behind this writer.
    if (openRead != null) {
      close(openRead);
    }
    if (pendingRead != null) {
      close(pendingRead);
    }
    // A share kept with nobody reading under it goes now, before the writer's node is created:
    // ZooKeeper applies the delete first, so the writer's listing does not find it ahead and wait.
    reapShares();
    create(n);
  }

  private void dispatchReaders() {
    if (firstWaiting(readers) == null) {
      readers.clear();
      return;
    }
    ReadShare s = openRead;
    if (s != null && !s.node.trusted(store.liveSession())) {
      close(s);
      s = null;
    }
    if (s != null && s.open) {
      for (Request r : readers) {
        if (r.state == Request.State.WAITING) {
          s.enter(r.stripe);
          r.grant(s);
        }
      }
      readers.clear();
      return;
    }
    s = pendingRead;
    if (s == null || !s.open) {
      if (store.liveSession() == 0
          || (write != null && write.node.phase == OwnNode.Phase.CREATING)) {
        return; // after the connection is back; behind this JVM's writer once its node exists
      }
      if (write != null && write.state == WriteHandoff.State.IDLE) {
        releaseWrite(write); // a kept write node would only block this JVM's own readers
      }
      OwnNode n = new OwnNode(LockMode.READ, firstWaiting(readers).data);
      s = new ReadShare(n, settings.stripes);
      n.hold = s;
      pendingRead = s;
      create(n);
    }
    for (Request r : readers) {
      if (r.state == Request.State.WAITING) {
        s.waiting.add(r);
        r.waitsOn = s.node;
      }
    }
    readers.clear();
  }

  private void dispatchSolos() {
    if (store.liveSession() == 0) {
      return;
    }
    for (int i = 0; i < solos.size(); i++) {
      OwnNode n = solos.get(i).node;
      if (n.phase == OwnNode.Phase.CREATING && !n.sent) {
        create(n);
      }
    }
  }

  /**
   * Removes read nodes that are closed, or unused without linger, once their last reader left. A
   * closed share still held is counted again on the timer while readers may leave it by release
   * store (S5 of {@link ReadShare}): such a leave can miss the close, and then nobody else would.
   */
  private void reapShares() {
    for (int i = nodes.size() - 1; i >= 0; i--) { // backwards: a release may drop node i
      OwnNode n = nodes.get(i);
      if (n.phase == OwnNode.Phase.HELD && n.hold instanceof ReadShare) {
        ReadShare s = (ReadShare) n.hold;
        if (s.holders() != 0) {
          if (!s.open && settings.lingerNanos > 0) {
            scheduleRecount(s);
          }
          continue;
        }
        if (s.open && keepsUnused(LockMode.READ) && n.trusted(store.liveSession())) {
          continue;
        }
        close(s);
        if (s.holders() == 0) { // a joiner that came in before the close keeps it
          release(n);
          stoppedUsing();
        }
      }
    }
  }

  // ---- ZooKeeper: creating, watching, removing ---------------------------------------------

  private void create(OwnNode n) {
    n.sent = true;
    nodes.add(n);
    send(
        () ->
            store.create(
                path,
                n.mode,
                n.data,
                (code, created, detail) -> onCreated(n, code, created, detail)));
    if (n.hold instanceof SoloNode && !((SoloNode) n.hold).handOn) {
      // One call's own node needs no watch before its grant: list the queue right behind the
      // create, as ZooKeeper applies a session's requests in order, saving a round trip.
      n.pipelined = relist();
    }
  }

  private void onCreated(OwnNode n, NodeStore.Code code, NodeStore.Created c, String detail) {
    mu.lock();
    try {
      if (code == NodeStore.Code.OK) {
        n.path = c.path;
        n.czxid = c.czxid;
        n.session = c.session;
        n.knownSince = listingsSent;
        n.phase = OwnNode.Phase.QUEUED;
        stats.nodes.increment();
        if (n.abandoned || n.suspect || c.session != store.liveSession()) {
          requeue(n);
          release(n);
        } else {
          if (!(n.hold instanceof SoloNode) || ((SoloNode) n.hold).handOn) {
            watchNode(n); // shared or handed on: its deletion must be seen at once
          } // one call's own: watched once it waits (waitFor); its removal's answer tells its call
          if (n.pipelined == 0) {
            relist(); // else the listing sent behind the create judges it (onChildren)
          }
        }
      } else {
        n.phase = OwnNode.Phase.GONE;
        nodes.remove(n);
        if (code == NodeStore.Code.CONNECTION_LOSS || code == NodeStore.Code.SESSION_EXPIRED) {
          requeue(n); // asked again once the connection is back
        } else {
          refuse(n, detail);
        }
      }
      dispatch();
    } finally {
      unlock();
    }
  }

  /**
   * Watches the deletion of a node of ours that calls may share or take over, from its creation on,
   * or that waits to be granted without listing the queue again ({@link #waitFor}). Once: the watch
   * lasts as long as the node's session.
   */
  private void watchNode(OwnNode n) {
    if (n.watchAsked) {
      return;
    }
    n.watchAsked = true;
    send(() -> watchNodeNow(n));
  }

  private void watchNodeNow(OwnNode n) {
    store.watchNode(
        n.path,
        () -> nodeGone(n),
        (code, exists, detail) -> {
          mu.lock();
          try {
            if (code == NodeStore.Code.OK) {
              n.watched = true;
            } else if (code == NodeStore.Code.NO_NODE) {
              markLost(n, LockLoss.DELETED);
            } else if (code != NodeStore.Code.CONNECTION_LOSS
                && code != NodeStore.Code.SESSION_EXPIRED) {
              n.suspect = true; // unwatched: never shared or kept (connection loss: onConnection)
            }
            dispatch();
          } finally {
            unlock();
          }
        });
  }

  /** The node's watch fired: it was deleted (by us, or by someone else). */
  private void nodeGone(OwnNode n) {
    mu.lock();
    try {
      if (n.phase == OwnNode.Phase.QUEUED || n.phase == OwnNode.Phase.HELD) {
        markLost(n, LockLoss.DELETED);
        afterQueueChange();
        dispatch();
      } // removing: the delete's answer says whose delete it was
    } finally {
      unlock();
    }
  }

  /**
   * Lists the path's children; the listing's number orders it after creates. It leaves the queue
   * watch only while a node needs to learn of contenders behind it ({@link #wantsQueueWatch}): a
   * waiting node learns its turn from the node it waits for ({@link #watchBlocker}).
   */
  private long relist() {
    long seq = ++listingsSent;
    boolean watch = wantsQueueWatch();
    if (watch) {
      lastWatchedListing = seq;
    }
    Runnable onChange = watch ? onWatch : null;
    send(
        () ->
            store.children(
                path, onChange, (code, kids, detail) -> onChildren(seq, watch, code, kids)));
    return seq;
  }

  /**
   * Whether a node here must hear of every change of the queue: one that calls may share or keep
   * and that has no contender behind it yet (held, or queued and not yet judged, since the listing
   * that judges it may grant it). A node that waits watches its blocker instead, and one call's own
   * node never needs to know who queues behind it.
   */
  private boolean wantsQueueWatch() {
    for (OwnNode n : nodes) {
      if (n.hold instanceof SoloNode || n.lost != null || n.suspect || n.contended) {
        continue;
      }
      if (n.phase == OwnNode.Phase.HELD || (n.phase == OwnNode.Phase.QUEUED && n.blocker == null)) {
        return true;
      }
    }
    return false;
  }

  private void watchFired() {
    mu.lock();
    try {
      queueWatchArmed = false;
      if (wantsQueueWatch()) {
        relist();
      }
    } finally {
      unlock();
    }
  }

  /**
   * Watches the deletion of the node {@code blocker} (a full path) that one of ours waits for, as
   * Curator's waiter watches its predecessor; its deletion, or finding it gone, lists the queue
   * again. One watch per blocker, however many of our nodes wait for it.
   */
  private void watchBlocker(String blocker) {
    long live = store.liveSession();
    BlockerWatch watched = blockersWatched.get(blocker);
    if (watched != null && watched.session == live) {
      return; // a watch of an earlier session is gone with it
    }
    BlockerWatch watch = new BlockerWatch(live);
    blockersWatched.put(blocker, watch);
    send(
        () ->
            store.watchNode(
                blocker,
                () -> blockerGone(blocker),
                (code, data, detail) -> {
                  if (code == NodeStore.Code.OK) {
                    noteHolder(watch, data); // watched: its deletion calls blockerGone
                    return;
                  }
                  if (code == NodeStore.Code.NO_NODE) {
                    blockerGone(blocker);
                    return;
                  }
                  mu.lock();
                  try {
                    blockersWatched.remove(blocker);
                    // Without a watch the waiter would hear nothing: look again later. (Connection
                    // loss: onConnection also gives up the waiting nodes and lists again.)
                    scheduleRelist();
                  } finally {
                    unlock();
                  }
                }));
  }

  /**
   * Keeps who holds {@code blocker}, from the data its watch read returned: a call that times out
   * behind it names the holder without another read ({@link #holderOf}).
   */
  private void noteHolder(BlockerWatch watch, byte[] data) {
    mu.lock();
    try {
      watch.holder = new String(data, StandardCharsets.UTF_8);
    } finally {
      unlock();
    }
  }

  /**
   * Who holds the node named {@code blocker} on this path: this JVM's own data if it is one of its
   * nodes, else what the watch read of it found; null if not known. Under the lock.
   */
  String holderOf(String blocker) {
    OwnNode own = ours(blocker);
    if (own != null) {
      return new String(own.data, StandardCharsets.UTF_8);
    }
    BlockerWatch watch = blockersWatched.get(path + "/" + blocker);
    return watch == null ? null : watch.holder;
  }

  /**
   * A node ours waited for is gone: a waiting node that counted its contenders ahead is granted
   * once the last of them goes ({@link #grantIfClear}); for the others the queue is read again.
   */
  private void blockerGone(String blocker) {
    mu.lock();
    try {
      blockersWatched.remove(blocker);
      boolean relist = false;
      for (OwnNode n : new ArrayList<>(nodes)) {
        if (blocker.equals(n.path)
            && (n.phase == OwnNode.Phase.QUEUED || n.phase == OwnNode.Phase.HELD)) {
          markLost(n, LockLoss.DELETED); // one of our own, gone while we did not remove it
        } else if (n.phase != OwnNode.Phase.QUEUED) {
          continue;
        } else if (n.blockersLeft == null) {
          relist = true;
        } else if (n.blockersLeft.remove(blocker) && n.blockersLeft.isEmpty()) {
          relist |= !grantIfClear(n);
        }
      }
      if (relist) {
        relist();
      }
      afterQueueChange();
      dispatch();
    } finally {
      unlock();
    }
  }

  private void onChildren(long seq, boolean watched, NodeStore.Code code, List<String> kids) {
    mu.lock();
    try {
      List<OwnNode> behindCreate = pipelinedWith(seq);
      if (code == NodeStore.Code.CONNECTION_LOSS || code == NodeStore.Code.SESSION_EXPIRED) {
        return; // onConnection marks the nodes and lists again after reconnecting
      }
      if (watched && code == NodeStore.Code.OK) {
        queueWatchArmed = true;
        queueWatchSession = store.liveSession();
      }
      if (code != NodeStore.Code.OK && code != NodeStore.Code.NO_NODE) {
        distrustAll(); // no watch: a node could go unseen
        scheduleRelist();
        dispatch();
        return;
      }
      List<LockNodeName.Contender> queue =
          code == NodeStore.Code.OK
              ? LockNodeName.queue(kids)
              : Collections.<LockNodeName.Contender>emptyList();
      if (queueListener != null) {
        queueListener.queue(path, queue);
      }
      noteOthers(queue);
      for (OwnNode n : new ArrayList<>(nodes)) {
        if ((n.phase == OwnNode.Phase.QUEUED || n.phase == OwnNode.Phase.HELD)
            && n.knownSince < seq) {
          judge(n, queue, positionIn(n, queue), seq);
        }
      }
      for (OwnNode n : behindCreate) {
        if (n.phase != OwnNode.Phase.QUEUED) {
          continue; // gone already, or not created yet: its create's reply lists again
        }
        int at = positionIn(n, queue);
        if (at >= 0) {
          judge(n, queue, at, seq); // applied after the create: the queue as of then or later
        } else {
          relist(); // applied before the create (Curator re-sent it, say): proves nothing
        }
      }
      afterQueueChange();
      // A node this unwatched listing granted, with nobody behind it yet: from now on it must hear
      // of the next contender.
      if (!queueWatchArmed && lastWatchedListing <= seq && wantsQueueWatch()) {
        relist();
      }
      dispatch();
    } finally {
      unlock();
    }
  }

  /**
   * The nodes that listing {@code seq} was sent right behind the create of; their mark is cleared,
   * so a create's reply that comes after this listing's (only if the create was sent again) lists
   * again.
   */
  private List<OwnNode> pipelinedWith(long seq) {
    List<OwnNode> found = Collections.emptyList();
    for (OwnNode n : nodes) {
      if (n.pipelined == seq) {
        n.pipelined = 0;
        if (found.isEmpty()) {
          found = new ArrayList<>(1);
        }
        found.add(n);
      }
    }
    return found;
  }

  /** Where {@code n} is in {@code queue}, or -1 if it is not there. */
  private static int positionIn(OwnNode n, List<LockNodeName.Contender> queue) {
    String name = n.name();
    for (int i = 0; i < queue.size(); i++) {
      if (queue.get(i).name.equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * What one listing says of one node, found at {@code at} in it: gone, first, blocked, contended.
   */
  private void judge(OwnNode n, List<LockNodeName.Contender> queue, int at, long seq) {
    if (at < 0) {
      markLost(n, LockLoss.DELETED);
      return;
    }
    if (n.unconfirmed && seq > n.confirmAfter && n.session == store.liveSession()) {
      n.unconfirmed = false; // it outlived the disconnection
    }
    String blocker = null;
    int blockers = 0;
    for (int i = 0; i < at; i++) {
      if (n.mode == LockMode.WRITE || queue.get(i).write) {
        blocker = queue.get(i).name;
        blockers++;
      }
    }
    for (int i = at + 1; i < queue.size() && !n.contended; i++) {
      if (n.mode == LockMode.WRITE || queue.get(i).write) {
        n.contended = true;
        n.contendedSince = clock.nanoTime();
      }
    }
    n.blocker = blocker;
    n.blockersLeft = null;
    if (n.phase == OwnNode.Phase.QUEUED) {
      if (blocker != null) {
        n.waited = true;
        waitFor(n, queue, at, blockers);
      } else if (n.suspect) {
        requeue(n); // never granted: its calls queue a fresh node
        release(n);
      } else {
        granted(n);
      }
    }
  }

  /**
   * Watches what {@code n}, found at {@code at} in {@code queue} behind {@code blockers}
   * conflicting contenders, waits for. One call's own node behind at most {@link
   * #MAX_BLOCKERS_WATCHED} of them watches each, and its own deletion too, and holds the lock once
   * all are seen gone, without listing the queue again ({@link #grantIfClear}): the listing showed
   * it, so it was applied after the create, and no node created later can come ahead of it. Any
   * other node watches the nearest only, as Curator's and kazoo's waiters do, and the queue is
   * listed again when it goes.
   */
  private void waitFor(OwnNode n, List<LockNodeName.Contender> queue, int at, int blockers) {
    if (!(n.hold instanceof SoloNode) || blockers > MAX_BLOCKERS_WATCHED) {
      watchBlocker(path + "/" + n.blocker);
      return;
    }
    // Its own watch is asked first: its answer comes before any event of the blockers' watches.
    watchNode(n);
    List<String> left = new ArrayList<>(blockers);
    for (int i = 0; i < at; i++) {
      if (n.mode == LockMode.WRITE || queue.get(i).write) {
        left.add(path + "/" + queue.get(i).name);
      }
    }
    n.blockersLeft = left;
    for (String b : left) {
      watchBlocker(b);
    }
  }

  /**
   * The last contender ahead of waiting node {@code n} is seen gone: it holds the lock now if no
   * node ahead can have come or gone unseen since the listing that judged it, that is if its own
   * deletion watch answered before this (ZooKeeper delivers a session's replies and watch events in
   * order, so a deletion of {@code n} before the blocker's would have been heard first) and nothing
   * made it suspect since.
   *
   * @return whether it was granted; if not, the queue is to be listed again
   */
  private boolean grantIfClear(OwnNode n) {
    n.blockersLeft = null;
    if (!n.watched || n.suspect || n.lost != null || n.session != store.liveSession()) {
      return false;
    }
    n.blocker = null;
    granted(n);
    return true;
  }

  /** The node holds the lock: give it to the calls that wait for it. */
  private void granted(OwnNode n) {
    n.phase = OwnNode.Phase.HELD;
    n.heldSinceNanos = clock.nanoTime();
    stats.lastToken.set(n.czxid);
    Hold h = n.hold;
    if (h instanceof WriteHandoff) {
      WriteHandoff w = (WriteHandoff) h;
      Request head = firstWaiting(writers);
      if (head != null) {
        writers.remove(head);
        w.state = WriteHandoff.State.IN_USE;
        w.owner = head;
        grant(head, w, n);
      } else {
        w.state = WriteHandoff.State.IN_USE;
        leaveWrite(w); // nobody waits any more: keep it idle or remove it
      }
    } else if (h instanceof ReadShare) {
      ReadShare s = (ReadShare) h;
      if (pendingRead == s) {
        pendingRead = null;
      }
      for (Request r : s.waiting) {
        if (r.state == Request.State.WAITING) {
          s.enter(r.stripe);
          grant(r, s, n);
        }
      }
      s.waiting.clear();
      if (s.open && !n.contended && openRead == null) {
        openRead = s;
        if (settings.lingerNanos > 0) {
          scheduleLinger(s);
        }
      } else {
        close(s);
      }
    } else {
      SoloNode solo = (SoloNode) h;
      if (solo.request.state == Request.State.WAITING) {
        grant(solo.request, solo, n);
      } else {
        solos.remove(solo);
        release(n);
      }
    }
  }

  private void grant(Request r, Hold h, OwnNode n) {
    if (n.waited) {
      r.queued = true;
    }
    r.grant(h);
  }

  /** Closes read shares a writer queued behind; removes idle nodes another contender waits for. */
  private void afterQueueChange() {
    for (OwnNode n : new ArrayList<>(nodes)) {
      if (n.phase != OwnNode.Phase.HELD || !n.contended) {
        continue;
      }
      if (n.hold instanceof ReadShare) {
        close((ReadShare) n.hold);
      } else if (n.hold == write && write.state == WriteHandoff.State.IDLE) {
        long left = keepLeft(write);
        // Idle when the contender came: nobody here is using it, so it goes at once. Contended
        // while in use: the busy writer may come back for it until the linger time is up.
        if (left <= 0 || n.contendedSince - write.idleSince >= 0) {
          releaseWrite(write);
        } else {
          scheduleCheck(write, left);
        }
      }
    }
  }

  /** Whether a node nobody here uses now is kept for the next local call (see the linger). */
  private boolean keepsUnused(LockMode mode) {
    return settings.lingerNanos > 0
        && (!settings.adaptive || (mode == LockMode.WRITE ? keepWrite : keepRead));
  }

  /**
   * Adaptive lingering's forecast, made as a call asks for the lock: reuse is likely while this JVM
   * is using a node of the path now, or when it stopped using one less than a window ago. The
   * window follows this JVM's pace on the path: a service that calls on each of 100 datasets every
   * 100 ms keeps its nodes as one that calls on a single dataset every millisecond does.
   */
  private void forecast() {
    if (!settings.adaptive) {
      return;
    }
    long now = clock.nanoTime();
    if (requestedBefore) {
      long gap = now - lastRequestAt;
      typicalGap = typicalGap < 0 ? gap : typicalGap + (gap - typicalGap) / 4;
      window = Math.max(ADAPTIVE_WINDOW_NANOS, Math.min(MAX_ADAPTIVE_WINDOW_NANOS, 2 * typicalGap));
    }
    lastRequestAt = now;
    requestedBefore = true;
    boolean inUse =
        (write != null && write.state == WriteHandoff.State.IN_USE)
            || (openRead != null && openRead.holders() > 0);
    boolean demand = inUse || (stoppedBefore && now - unusedSince < window);
    othersLately = othersSeen && now - othersSeenAt < OTHERS_QUIET_NANOS;
    otherWriterLately = otherWriterSeenLately(now);
    keepWrite = demand && !othersLately;
    keepRead = demand && !otherWriterLately;
    // Only on a path others have used: a path private to this JVM keeps its write node however
    // busy the others are elsewhere (a single writer's calls there stay free).
    othersOnAnyPathLately = othersLately || (othersSeen && others.lately(now, OTHERS_QUIET_NANOS));
  }

  /**
   * Whether a call takes a node of its own, as with {@code coalesce: false}: with adaptive
   * lingering, where another process's conflicting node was seen lately (so no node is kept) and
   * where this JVM has nothing on the path, no node and no waiting call, that the call could share
   * (a node being removed is none, and an unused one kept in the other mode is given up first:
   * {@link #giveUpUnusedOfTheOtherMode}). For a writer on a path other processes have used before,
   * a sighting on any other path of this JVM's counts too ({@link OtherProcesses}): a write node
   * could only be kept while nobody else comes, and a JVM that sees other processes on some of its
   * paths meets them on the others they use as well, only less often than it lists each queue. A
   * path no other process was ever seen on keeps coalescing (a single writer's calls there stay
   * free), and a reader still coalesces on a path no other writer was seen on lately: its share is
   * kept between calls there, whatever writers do elsewhere. Such a node carries neither a deletion
   * watch of its own nor the queue watch, the reads coalescing pays for sharing that will not
   * happen; the call that removes it hears ZooKeeper's answer, as one call's own node always does
   * (I2). Calls that come while it is there coalesce: a writer waits to take over a call's own
   * write node as that call leaves ({@link #handOver}), instead of queuing a node of its own behind
   * it. This JVM's write node and read shares are in {@link #nodes} from their create on; a call's
   * own node waits in {@link #solos} until it is created.
   */
  private boolean takesOwnNode(LockMode mode) {
    return mayTakeOwnNode(mode) && onlyRemoving() && solos.isEmpty();
  }

  /**
   * What {@link #takesOwnNode} and {@link #giveUpUnusedOfTheOtherMode} both ask first: adaptive
   * lingering, other processes met here lately by a call in {@code mode} (a writer, any other
   * process's node, on this path or on another where others used this one before; a reader, another
   * process's writer on this path), and no local call waiting that the call could join.
   */
  private boolean mayTakeOwnNode(LockMode mode) {
    return settings.adaptive
        && (mode == LockMode.WRITE ? othersOnAnyPathLately : otherWriterLately)
        && firstWaiting(writers) == null
        && firstWaiting(readers) == null;
  }

  /**
   * Whether every node of this JVM's on the path is being removed: none that calls could share. A
   * node of a call's own created now is applied after those deletes, as ZooKeeper applies a
   * session's requests in order, so its listing does not find them ahead.
   */
  private boolean onlyRemoving() {
    for (OwnNode n : nodes) {
      if (n.phase != OwnNode.Phase.REMOVING) {
        return false;
      }
    }
    return true;
  }

  /**
   * Before a call that may take a node of its own ({@link #takesOwnNode}), gives up the node this
   * JVM keeps unused on the path in the other mode: the call could not use it (a writer cannot join
   * a read share, a reader cannot run under a write node), and with it there the call would queue a
   * coalescing node behind it and pay the watches sharing needs. Such a node is still there when
   * the call's own rule is wider than the one that keeps it: a read share is kept while no other
   * process's writer was seen on this path lately, while a writer takes a node of its own once any
   * other process's node was seen lately, on this path or (where others used it before) another.
   */
  private void giveUpUnusedOfTheOtherMode(LockMode mode) {
    if (!mayTakeOwnNode(mode)) {
      return;
    }
    if (mode == LockMode.WRITE) {
      ReadShare s = openRead;
      if (s != null && s.node.phase == OwnNode.Phase.HELD && s.holders() == 0) {
        close(s);
        reapShares(); // removes it, unless a reader joined before the close
      }
    } else if (write != null && write.state == WriteHandoff.State.IDLE) {
      releaseWrite(write);
    }
  }

  /**
   * Adaptive lingering's forecast, made by the linger check of a share this JVM's readers joined in
   * the last window: that is demand as much as a request is, and a share joined all along (under a
   * long-running reader) sees no request to forecast from. Kept while no other process's writer was
   * seen on the path lately.
   */
  private void usedThisWindow(ReadShare s) {
    if (settings.adaptive && s == openRead) {
      long now = clock.nanoTime();
      otherWriterLately = otherWriterSeenLately(now);
      keepRead = !otherWriterLately;
    }
  }

  /** Whether another process's writer was seen on the path within {@link #OTHERS_QUIET_NANOS}. */
  private boolean otherWriterSeenLately(long now) {
    return otherWriterSeen && now - otherWriterSeenAt < OTHERS_QUIET_NANOS;
  }

  /** Notes the contenders of other processes in a listing: no node is kept for a while. */
  private void noteOthers(List<LockNodeName.Contender> queue) {
    if (!settings.adaptive) {
      return;
    }
    for (LockNodeName.Contender c : queue) {
      if (ours(c.name) != null) {
        continue;
      }
      long now = clock.nanoTime();
      others.saw(now);
      othersSeen = true;
      othersSeenAt = now;
      keepWrite = false;
      if (c.write) {
        otherWriterSeen = true;
        otherWriterSeenAt = now;
        keepRead = false;
      }
    }
  }

  /** This JVM's node of that name on the path, or null. */
  private OwnNode ours(String name) {
    for (OwnNode n : nodes) {
      if (n.path != null && n.name().equals(name)) {
        return n;
      }
    }
    return null;
  }

  /** A kept node went unused for a whole window: the forecast was wrong, keep none for now. */
  private void keptInVain() {
    keepWrite = false;
    keepRead = false;
    stoppedUsing();
  }

  /** This JVM stopped using a node of the path: a gap in its demand begins. */
  private void stoppedUsing() {
    unusedSince = clock.nanoTime();
    stoppedBefore = true;
  }

  /**
   * May this JVM keep using the node? Always while nobody queues behind it; once someone does while
   * it is in use, for a fixed linger time at most (0 without linger, and with adaptive lingering):
   * a busy JVM finishes its burst, and the waiter's wait stays bounded.
   */
  private boolean mayKeep(OwnNode n) {
    return !n.contended
        || (!settings.adaptive && clock.nanoTime() - n.contendedSince < settings.lingerNanos);
  }

  /** How much longer an idle write node may be kept: the linger, cut short by contention. */
  private long keepLeft(WriteHandoff w) {
    long now = clock.nanoTime();
    long left = window - (now - w.idleSince);
    if (w.node.contended) {
      left =
          settings.adaptive
              ? 0 // another process waits: adaptive lingering gives the node up at once
              : Math.min(left, settings.lingerNanos - (now - w.node.contendedSince));
    }
    return left;
  }

  /** Removes our node in the background; a node not created yet is removed once it is. */
  private void release(OwnNode n) {
    switch (n.phase) {
      case CREATING:
        n.abandoned = true;
        if (!n.sent) {
          n.phase = OwnNode.Phase.GONE;
        }
        return;
      case QUEUED:
      case HELD:
        if (n.phase == OwnNode.Phase.HELD) {
          stats.holdTimes.record(clock.nanoTime() - n.heldSinceNanos);
        }
        detach(n);
        if (n.lost != null || store.sessionEnded(n.session)) {
          forget(n, n.lost != null ? n.lost : LockLoss.SESSION_EXPIRED);
          return;
        }
        n.phase = OwnNode.Phase.REMOVING;
        String nodePath = n.path;
        long session = n.session;
        send(
            () ->
                store.delete(
                    nodePath, session, (code, none, detail) -> onDeleted(n, code, detail)));
        return;
      default:
    }
  }

  private void onDeleted(OwnNode n, NodeStore.Code code, String detail) {
    mu.lock();
    try {
      if (code == NodeStore.Code.OK) {
        n.unconfirmed = false; // it was ours until we removed it
        forget(n, null);
      } else if (code == NodeStore.Code.NO_NODE || code == NodeStore.Code.SESSION_EXPIRED) {
        forget(n, code == NodeStore.Code.NO_NODE ? LockLoss.DELETED : LockLoss.SESSION_EXPIRED);
      } else {
        // The store retries across connection loss itself; anything else leaves the node to its
        // session.
        LockLossReport.removalFailed(path, n.path, detail);
        forget(n, null);
      }
      dispatch();
    } finally {
      unlock();
    }
  }

  /** The node is gone: from ZooKeeper, and now from this engine. */
  private void forget(OwnNode n, LockLoss why) {
    if (why != null && n.lost == null) {
      n.lost = why;
      if (!n.awaited && n.usedByCalls) {
        LockLossReport.lostAfterReturn(n, why);
      }
    }
    detach(n);
    n.phase = OwnNode.Phase.GONE;
    nodes.remove(n);
  }

  /** Drops every reference from this engine's state to {@code n}'s hold. */
  private void detach(OwnNode n) {
    Hold h = n.hold;
    if (h instanceof ReadShare) {
      close((ReadShare) h);
    } else if (h == write) {
      write.state = WriteHandoff.State.RELEASED;
      write = null;
    } else if (h instanceof SoloNode) {
      solos.remove(h);
    }
  }

  private void releaseWrite(WriteHandoff w) {
    w.state = WriteHandoff.State.RELEASED;
    if (write == w) {
      write = null;
    }
    release(w.node);
  }

  private void close(ReadShare s) {
    s.open = false;
    if (openRead == s) {
      openRead = null;
    }
    if (pendingRead == s) {
      pendingRead = null;
    }
  }

  // ---- loss and the connection ----------------------------------------------------------------

  /** ZooKeeper's queue no longer has the node, or its session ended. */
  private void markLost(OwnNode n, LockLoss why) {
    n.suspect = true;
    if (n.lost == null) {
      n.lost = why;
    }
    if (n.phase == OwnNode.Phase.QUEUED || n.phase == OwnNode.Phase.CREATING) {
      requeue(n); // nobody ran under it: its calls queue a fresh node
      forget(n, why);
      return;
    }
    if (n.hold instanceof ReadShare) {
      close((ReadShare) n.hold); // its readers learn it when they leave; reapShares forgets it
    } else if (n.hold == write && write.state == WriteHandoff.State.IDLE) {
      forget(n, why);
    }
    if (n.phase == OwnNode.Phase.REMOVING) {
      forget(n, why);
    }
  }

  /**
   * The connection changed: {@code live} is the session now, or 0 while there is none. Called on
   * the store's event thread, in order with replies.
   */
  void onConnection(long live) {
    mu.lock();
    try {
      if (live == 0) {
        distrustAll();
      } else {
        if (live != queueWatchSession) {
          queueWatchArmed = false; // a new session has none of the old one's watches
        }
        blockersWatched.values().removeIf(watch -> watch.session != live);
        boolean confirm = false;
        for (OwnNode n : new ArrayList<>(nodes)) {
          if (n.phase == OwnNode.Phase.CREATING || n.session == 0) {
            continue;
          }
          if (n.session != live) {
            markLost(n, LockLoss.SESSION_EXPIRED);
          } else if (n.unconfirmed) {
            n.confirmAfter = listingsSent;
            confirm = true;
          }
        }
        if (confirm) {
          relist();
        }
      }
      dispatch();
    } finally {
      unlock();
    }
  }

  /**
   * A sign that nodes may be gone unseen: none is granted, joined, passed or kept any more. Queued
   * nodes are given up (their calls queue fresh ones); held ones stay with their calls, whose ends
   * wait for ZooKeeper's answer.
   */
  private void distrustAll() {
    for (OwnNode n : new ArrayList<>(nodes)) {
      n.suspect = true;
      if (n.phase == OwnNode.Phase.HELD) {
        n.unconfirmed = true;
      }
      if (n.hold instanceof ReadShare) {
        close((ReadShare) n.hold);
      }
      if (n.phase == OwnNode.Phase.QUEUED || n.phase == OwnNode.Phase.CREATING) {
        requeue(n);
        release(n);
      } else if (n.hold == write && write.state == WriteHandoff.State.IDLE) {
        releaseWrite(write);
      }
    }
  }

  /** The calls waiting on {@code n} go back to waiting for a node; {@code n} is left to go. */
  private void requeue(OwnNode n) {
    if (n.requeued) {
      return;
    }
    n.requeued = true;
    Hold h = n.hold;
    if (h instanceof ReadShare) {
      ReadShare s = (ReadShare) h;
      close(s);
      readers.addAll(0, s.waiting);
      s.waiting.clear();
    } else if (h == write) {
      write.state = WriteHandoff.State.RELEASED;
      write = null; // its writers are still in the writer queue
    } else if (h instanceof SoloNode) {
      SoloNode solo = (SoloNode) h;
      solos.remove(solo);
      if (solo.request.state == Request.State.WAITING) {
        OwnNode fresh = new OwnNode(n.mode, n.data);
        SoloNode again = new SoloNode(fresh, solo.request);
        fresh.hold = again;
        solo.request.waitsOn = fresh;
        solos.add(again);
      }
    }
  }

  /** The create was refused (ACL, auth, bad path): the calls waiting for it fail. */
  private void refuse(OwnNode n, String detail) {
    Hold h = n.hold;
    List<Request> refused = new ArrayList<>();
    if (h instanceof ReadShare) {
      close((ReadShare) h);
      refused.addAll(((ReadShare) h).waiting);
    } else if (h == write) {
      refused.addAll(writers);
      writers.clear();
      write = null;
    } else if (h instanceof SoloNode) {
      solos.remove(h);
      refused.add(((SoloNode) h).request);
    }
    for (Request r : refused) {
      if (r.state == Request.State.WAITING) {
        r.fail(detail);
      }
    }
  }

  private void scheduleRelist() {
    if (!relistScheduled) {
      relistScheduled = true;
      clock.schedule(
          () -> {
            mu.lock();
            try {
              relistScheduled = false;
              if (hasQueuedOrHeld()) {
                relist();
              }
            } finally {
              unlock();
            }
          },
          RELIST_RETRY_NANOS);
    }
  }

  // ---- linger -----------------------------------------------------------------------------------

  private void scheduleLinger(ReadShare s) {
    if (!s.lingerScheduled) {
      s.lingerScheduled = true;
      clock.schedule(() -> lingerCheck(s, 0), window);
    }
  }

  /**
   * Counts a closed, still held share again soon (S5 of {@link ReadShare}): first after {@link
   * #RECOUNT_FIRST_NANOS}, then at twice the last interval up to {@link #RECOUNT_MAX_NANOS}, one
   * check pending at a time, until {@link #reapShares} removes its node. A leave that missed the
   * close made its store a moment before, so the first recount finds it; the later ones only cover
   * readers that really still hold the share.
   */
  private void scheduleRecount(ReadShare s) {
    if (s.recountScheduled) {
      return;
    }
    s.recountScheduled = true;
    s.recountDelay =
        s.recountDelay == 0 ? RECOUNT_FIRST_NANOS : Math.min(RECOUNT_MAX_NANOS, 2 * s.recountDelay);
    clock.schedule(
        () -> {
          mu.lock();
          try {
            s.recountScheduled = false;
            dispatch();
          } finally {
            unlock();
          }
        },
        s.recountDelay);
  }

  /**
   * Looks at an idle write node again within {@code delay}; one check is pending at a time, the
   * earliest one needed (a later one finds itself superseded and does nothing).
   */
  private void scheduleCheck(WriteHandoff w, long delay) {
    long at = clock.nanoTime() + delay;
    if (w.lingerScheduled && w.checkAt - at <= 0) {
      return;
    }
    w.lingerScheduled = true;
    w.checkAt = at;
    clock.schedule(() -> lingerCheck(w, at), delay);
  }

  /** The timer's look at a kept node: removed once unused for a whole linger period. */
  private void lingerCheck(Hold h, long at) {
    mu.lock();
    try {
      if (h instanceof WriteHandoff) {
        WriteHandoff w = (WriteHandoff) h;
        if (!w.lingerScheduled || w.checkAt != at) {
          return; // superseded by an earlier check
        }
        w.lingerScheduled = false;
        if (w.state == WriteHandoff.State.IDLE) {
          long left = keepLeft(w);
          if (left <= 0) {
            if (!w.node.contended) {
              keptInVain();
            }
            releaseWrite(w);
          } else {
            scheduleCheck(w, left);
          }
        }
      } else {
        ReadShare s = (ReadShare) h;
        s.lingerScheduled = false;
        if (s.open && s.node.phase == OwnNode.Phase.HELD) {
          if (s.used) {
            s.used = false;
            usedThisWindow(s);
            scheduleLinger(s);
          } else if (s.holders() == 0) {
            keptInVain();
            close(s);
          } else {
            scheduleLinger(s);
          }
        }
      }
      dispatch();
    } finally {
      unlock();
    }
  }

  // ---- small helpers and status ------------------------------------------------------------

  private boolean hasQueuedOrHeld() {
    for (OwnNode n : nodes) {
      if (n.phase == OwnNode.Phase.QUEUED || n.phase == OwnNode.Phase.HELD) {
        return true;
      }
    }
    return false;
  }

  /** The first request still waiting; drops the ones at the front that no longer wait. */
  private static Request firstWaiting(ArrayDeque<Request> queue) {
    Request r;
    while ((r = queue.peekFirst()) != null && r.state != Request.State.WAITING) {
      queue.pollFirst();
    }
    return r;
  }

  private static Request firstWaiting(List<Request> queue) {
    while (!queue.isEmpty()) {
      Request r = queue.get(0);
      if (r.state == Request.State.WAITING) {
        return r;
      }
      queue.remove(0);
    }
    return null;
  }

  private static boolean hasWaiting(ArrayDeque<Request> queue) {
    return firstWaiting(queue) != null;
  }

  /** Local writers ahead of {@code r} that hold or wait for the write node; -1 if none holds it. */
  int localWritersAhead(Request r) {
    mu.lock();
    try {
      WriteHandoff w = write;
      OwnNode waitsOn = r.waitsOn;
      boolean localHolder =
          w != null
              ? w.state == WriteHandoff.State.IN_USE
              : waitsOn != null
                  && waitsOn.hold instanceof SoloNode
                  && waitsOn.phase == OwnNode.Phase.HELD;
      if (r.mode != LockMode.WRITE || !settings.coalesce || !localHolder) {
        return -1;
      }
      int ahead = 1;
      for (Request other : writers) {
        if (other == r) {
          break;
        }
        ahead++;
      }
      return ahead;
    } finally {
      unlock();
    }
  }

  /** The nodes this JVM keeps on the path now, with who uses them. */
  List<String> holders() {
    mu.lock();
    try {
      List<String> out = new ArrayList<>();
      for (OwnNode n : nodes) {
        if (n.phase == OwnNode.Phase.HELD) {
          out.add(n.hold.describe());
        }
      }
      return out;
    } finally {
      unlock();
    }
  }

  /**
   * What the tests cannot see from ZooKeeper: whether this JVM's listing has put one of its nodes
   * behind another node of the queue (the names of those blockers), which is also when adaptive
   * lingering notes the other processes it saw.
   */
  List<String> blockers() {
    mu.lock();
    try {
      List<String> out = new ArrayList<>();
      for (OwnNode n : nodes) {
        if (n.blocker != null) {
          out.add(n.blocker);
        }
      }
      return out;
    } finally {
      unlock();
    }
  }

  /** How many of this JVM's nodes on the path have a deletion watch ZooKeeper answered. */
  int nodesWatched() {
    mu.lock();
    try {
      int watched = 0;
      for (OwnNode n : nodes) {
        if (n.watched) {
          watched++;
        }
      }
      return watched;
    } finally {
      unlock();
    }
  }

  /** How many calls hold or wait for a node of their own now ({@link #takesOwnNode}). */
  int callsOwnNodes() {
    mu.lock();
    try {
      int own = solos.size();
      for (OwnNode n : nodes) {
        if (n.hold instanceof SoloNode && !solos.contains(n.hold)) {
          own++;
        }
      }
      return own;
    } finally {
      unlock();
    }
  }

  /**
   * Waits, with {@link #mu} held, until {@code done} holds, at most {@code nanos} (as {@link
   * Condition#awaitNanos}); {@code done} is read under mu, by this thread and by {@link #dispatch}.
   *
   * @return the time left, or at most 0 once it is up
   */
  long await(BooleanSupplier done, long nanos) throws InterruptedException {
    Wait w = new Wait(done, mu.newCondition());
    waits.add(w);
    try {
      long left = w.woken.awaitNanos(nanos);
      if (left > 0 && !done.getAsBoolean()) {
        needlessWakeups++;
      }
      return left;
    } finally {
      waits.remove(w);
    }
  }

  /** Wakes the waiting calls whose wait is over (I5); the others sleep on. */
  private void wakeTheDone() {
    for (int i = 0; i < waits.size(); i++) {
      Wait w = waits.get(i);
      if (w.done.getAsBoolean()) {
        w.woken.signal();
      }
    }
  }

  /** How often waiting calls woke to find nothing they wait for done (for the tests). */
  long needlessWakeups() {
    mu.lock();
    try {
      return needlessWakeups;
    } finally {
      unlock();
    }
  }

  /** The threads whose calls wait for the lock now. */
  List<Thread> waiters() {
    mu.lock();
    try {
      List<Thread> out = new ArrayList<>();
      for (Request r : writers) {
        addIfWaiting(out, r);
      }
      for (Request r : readers) {
        addIfWaiting(out, r);
      }
      for (OwnNode n : nodes) {
        if (n.hold instanceof ReadShare) {
          for (Request r : ((ReadShare) n.hold).waiting) {
            addIfWaiting(out, r);
          }
        } else if (n.hold instanceof SoloNode && n.phase != OwnNode.Phase.HELD) {
          addIfWaiting(out, ((SoloNode) n.hold).request);
        }
      }
      for (SoloNode s : solos) {
        if (!s.node.sent) {
          addIfWaiting(out, s.request);
        }
      }
      return out;
    } finally {
      unlock();
    }
  }

  private static void addIfWaiting(List<Thread> out, Request r) {
    if (r.state == Request.State.WAITING && !out.contains(r.thread)) {
      out.add(r.thread);
    }
  }

  /**
   * True when this engine has nothing left to do: no node in any phase (a node still being created,
   * waiting, kept or removed counts) and no call waiting. Only such an engine may be dropped by
   * {@link LockTable}: it receives no connection event once dropped, and a node still on its way
   * out would otherwise miss the reconnection that finishes its removal.
   */
  boolean idle() {
    mu.lock();
    try {
      return nodes.isEmpty() && waiters().isEmpty();
    } finally {
      unlock();
    }
  }

  /** Calls holding the lock now (each reader of a share, the write node's owner, solo holders). */
  int callsHolding() {
    mu.lock();
    try {
      int calls = 0;
      for (OwnNode n : nodes) {
        if (n.phase != OwnNode.Phase.HELD && n.phase != OwnNode.Phase.REMOVING) {
          continue;
        }
        if (n.hold instanceof ReadShare) {
          calls += (int) Math.max(0, ((ReadShare) n.hold).holders());
        } else if (n.hold instanceof WriteHandoff) {
          calls += ((WriteHandoff) n.hold).state == WriteHandoff.State.IN_USE ? 1 : 0;
        } else if (n.phase == OwnNode.Phase.HELD) {
          calls++;
        }
      }
      return calls;
    } finally {
      unlock();
    }
  }
}
