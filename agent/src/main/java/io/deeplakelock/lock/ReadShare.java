package io.deeplakelock.lock;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A read node shared by every reading thread of this JVM: the first reader creates it, the others
 * join it, and it is removed once it is closed to new readers and its last reader has left.
 *
 * <p><b>Per-thread slots.</b> Holders are counted in slots, one per thread number modulo the slot
 * count ({@link #stripesFor}: about two per core). Each slot sits alone on two cache lines, away
 * from the array's header too (which every access reads for its bounds check), so a thread joining
 * and leaving writes only its own lines. A slot has two counts, one per line: its <em>own</em>
 * count, for the thread whose number is the slot's index (the first threads of the JVM to make a
 * guarded call, numbers that are never given twice), and its <em>shared</em> count, for every later
 * thread whose number falls on the slot. The shared count is changed by atomic increments only, one
 * to join and one to leave. The own count is written only by its thread (and by the engine, under
 * its lock, when it grants that thread's waiting request: S6), so where the leave need not know
 * whether it was the last reader, that thread leaves by a plain release store, without a locked
 * instruction ({@link #exitOwn}, S5). The engine counts a request it grants in the count of the
 * request's thread.
 *
 * <p><b>Invariants</b> (I1 of {@link LockEngine}, for the part that runs without its lock):
 *
 * <ul>
 *   <li><b>S1, no reader enters a closed share.</b> {@link #tryJoin} increments its slot and only
 *       then reads {@link #open}; the closer ({@code LockEngine.close}, under the engine's lock)
 *       clears {@link #open} and only then reads the slots. Both sides are sequentially consistent
 *       (an atomic increment, volatile accesses), so in their single total order either the
 *       joiner's read of {@link #open} comes after the clear (it sees false, backs out, and takes
 *       the slow path) or the closer's read of the slot comes after the increment (it counts the
 *       joiner and does not remove the node).
 *   <li><b>S2, a lost or suspect node is never joined.</b> The same read after the increment checks
 *       that the node is not lost, not suspect and of the live session; the engine marks a node
 *       suspect or lost before it looks at the holders.
 *   <li><b>S3, the last reader out is found.</b> Once closed, counts only fall. A leaver that needs
 *       to know whether it was the last (closed, or {@code linger: 0}) decrements its count
 *       atomically and reads the other counts ({@link #anyHolder}; its own it knows from its
 *       decrement). Of concurrent leavers, the one whose decrement is last in the total order sees
 *       every count at zero and takes the engine's lock, which removes the node; the others each
 *       saw a later decrement's count still non-zero. {@link #anyHolder} stops at the first
 *       non-zero slot, looking first where the same thread found one last time: with one
 *       long-running reader, a leaver reads that reader's quiet slot, not the lines the other short
 *       readers are writing.
 *   <li><b>S4, every join counted once.</b> A slot's long holds its holders in the low 32 bits and,
 *       above them, the joins made through {@link #tryJoin} (modulo 2<sup>32</sup>; the long after
 *       the hint counts the wraps): a join adds one to both in its one increment, a back-out takes
 *       both away again, and neither {@link #enter} (the engine's grants, which {@link DatasetLock}
 *       counts itself) nor {@link #exit} touches the joins. So {@link LockCounters#acquisitions}
 *       needs no atomic of its own per join. Holders never go below zero, so the low half never
 *       borrows from the high one. Once closed, a slot read with no holder has its final join count
 *       (by S1, a later increment is a back-out that is undone): {@link #joinsIfFinal}. All this
 *       holds for each of a slot's two counts.
 *   <li><b>S5, a leave by release store is caught by the closer's recount.</b> {@link #exitOwn}
 *       stores the decremented own count and the leaver then reads {@link #open}; without a
 *       store-load fence between them, a closer may read the count from before the store while the
 *       leaver reads {@link #open} from before the clear, and neither removes the node. So the
 *       engine uses {@link #exitOwn} only while it keeps an unused share anyway (a linger, or the
 *       adaptive forecast), where an open share's last leaver has nothing to decide, and counts
 *       again a closed share that it found still held, on its timer, until the holders are gone
 *       ({@code LockEngine.reapShares}). An open share's leave by store that an atomic leaver's
 *       {@link #anyHolder} reads too early (when the forecast stopped keeping shares in between) is
 *       caught the same way by the linger check, which every open share has pending while it may be
 *       kept. Every other leave is an atomic decrement, as in S3.
 *   <li><b>S6, an own count has one writer at a time.</b> Only the thread whose number is the
 *       slot's index joins or leaves on it; the engine adds a grant there, under its lock, only for
 *       a request of that thread, which waits for the grant and does nothing else meanwhile (its
 *       earlier store is ordered before the grant by the engine's lock, which the request took). So
 *       a plain load and store of the own count loses no other write.
 * </ul>
 *
 * <p><b>Memory.</b> A share has a fixed number of slots (at most 64) whatever the number of
 * threads, virtual threads included, and is dropped with its node: nothing is kept per thread.
 *
 * <p><b>Closing.</b> A share closes, never to reopen, when a writer (of any process, this one
 * included) queues behind its node (phase fairness: later readers queue behind that writer with a
 * fresh node), at the first sign that the node may be gone, when its last reader leaves without
 * {@code linger}, or when the linger timer finds it unused for a whole period.
 */
final class ReadShare extends Hold {

  /** Longs per slot: 16 x 8 bytes = 128 bytes, two cache lines, so slots never share one. */
  private static final int PAD = 16;

  /** From a slot's own count to its shared count: the slot's second cache line. */
  private static final int SHARED = 8;

  /** One join in a slot's long (S4): the joins count above the 32 bits of holders. */
  static final long JOIN = 1L << 32;

  /** What a join adds to its slot: one holder and one join. */
  private static final long JOIN_AND_HOLDER = JOIN + 1;

  /** The join count's value just before it wraps to 0 (its 32 bits all set). */
  private static final long LAST_JOIN = 0xFFFF_FFFFL;

  /**
   * Per slot at {@code (index + 1) * PAD}, the first PAD longs keeping the array header: the own
   * count's holders and joins (S4); in the long after it its threads' {@link #anyHolder} hint; in
   * the one after that how often its joins wrapped. {@link #SHARED} longs further on, the shared
   * count and, two after it, its wraps.
   */
  final AtomicLongArray counts;

  private final int mask;

  /** Joinable; cleared once, by the engine under its lock. */
  volatile boolean open = true;

  /** Joined since the linger timer last looked (kept up only with {@code linger}). */
  volatile boolean used = true;

  /** Readers that asked before the node was granted; guarded by the engine's lock. */
  final List<Request> waiting = new ArrayList<>(2);

  /** A linger check is scheduled; guarded by the engine's lock. */
  boolean lingerScheduled;

  /** A recount of this closed share is scheduled (S5); guarded by the engine's lock. */
  boolean recountScheduled;

  /** The interval before the last recount scheduled, 0 before the first; guarded likewise. */
  long recountDelay;

  ReadShare(OwnNode node, int stripes) {
    super(node);
    this.mask = stripes - 1;
    this.counts = new AtomicLongArray((stripes + 1) * PAD);
  }

  /**
   * Joins without the engine's lock when the share is open and its node trusted in {@code
   * liveSession}; backs out and returns false otherwise (the caller then takes the slow path, which
   * removes the node if this back-out emptied a closed share).
   */
  boolean tryJoin(int stripe, long liveSession) {
    if (!open) {
      return false;
    }
    int at = count(stripe);
    if ((counts.getAndAdd(at, JOIN_AND_HOLDER) >>> 32) == LAST_JOIN) {
      counts.getAndIncrement(at + 2); // the joins wrapped to 0: once per 2^32 joins of the slot
    }
    OwnNode n = node;
    if (open && n.lost == null && !n.suspect && n.session == liveSession) {
      if (!used) {
        used = true; // one write per linger period, a read otherwise
      }
      return true;
    }
    if ((counts.addAndGet(at, -JOIN_AND_HOLDER) >>> 32) == LAST_JOIN) {
      counts.getAndDecrement(at + 2); // the back-out undid a wrap
    }
    return false;
  }

  /** Counts a holder in (a grant of the engine's: not a join, S4; under its lock, S6). */
  void enter(int stripe) {
    counts.getAndIncrement(count(stripe));
  }

  /**
   * Counts a holder out by an atomic decrement; returns its count's holders now (0 means the total
   * may be 0 now). Its store-load fence lets the caller then learn whether it was the last (S3).
   */
  long exit(int stripe) {
    return holdersIn(counts.decrementAndGet(count(stripe)));
  }

  /**
   * Whether {@code stripe}'s thread has a slot's own count, so may leave by {@link #exitOwn}.
   * Stripes are never negative ({@link CallFrames#stripe(long)}).
   */
  boolean ownsCount(int stripe) {
    return stripe <= mask;
  }

  /**
   * Counts the own count's thread out by a plain release store (S5, S6): no locked instruction, so
   * no fence before the caller's next read. Only for a thread that {@link #ownsCount}, and only
   * where the engine need not learn whether this was the last reader.
   */
  void exitOwn(int stripe) {
    int at = slot(stripe);
    counts.lazySet(at, counts.get(at) - 1);
  }

  /** The holders in a slot's long: its low 32 bits (S4). */
  private static int holdersIn(long slotValue) {
    return (int) slotValue;
  }

  /** Where slot {@code index}'s own count is. */
  private int slot(int index) {
    return ((index & mask) + 1) * PAD;
  }

  /** Where {@code stripe}'s thread counts itself: its slot's own count, or its shared one (S6). */
  private int count(int stripe) {
    return ownsCount(stripe) ? slot(stripe) : slot(stripe) + SHARED;
  }

  /**
   * Whether any reader other than this thread's count's holds the share now (S3): the slot where
   * this thread's last look found one first, then the other count of this thread's slot, then the
   * other slots, stopping at the first count that holds one. That hint lives beside the thread's
   * count, on a line only that count's threads write: a hint kept in this object would be written
   * by each leaver in turn, beside {@link #open}, which every join reads.
   */
  boolean anyHolder(int stripe) {
    int own = stripe & mask;
    int mine = count(stripe);
    int hintAt = mine + 1;
    int hint = (int) counts.get(hintAt) & mask;
    if (hint != own && holdsAt(hint)) {
      return true;
    }
    if (holdersIn(counts.get(mine == slot(own) ? mine + SHARED : slot(own))) > 0) {
      return true; // the other count of this thread's slot
    }
    for (int i = 0; i <= mask; i++) {
      if (i != own && i != hint && holdsAt(i)) {
        counts.lazySet(hintAt, i); // a hint: no ordering needed
        return true;
      }
    }
    return false;
  }

  /** Whether slot {@code index} holds a reader: its own count first, then its shared one. */
  private boolean holdsAt(int index) {
    int at = slot(index);
    return holdersIn(counts.get(at)) > 0 || holdersIn(counts.get(at + SHARED)) > 0;
  }

  /** The holders now; exact once the share is closed and no joiner is backing out. */
  long holders() {
    long sum = 0;
    for (int at = PAD; at < counts.length(); at += SHARED) { // every count, own and shared
      sum += holdersIn(counts.get(at));
    }
    return sum;
  }

  /**
   * The joins made so far (S4): exact when no join is under way; may be one wrap (2<sup>32</sup>)
   * short while a count's wrap is being counted.
   */
  long joins() {
    long sum = 0;
    for (int at = PAD; at < counts.length(); at += SHARED) { // every count, own and shared
      sum += (counts.get(at + 2) << 32) + (counts.get(at) >>> 32);
    }
    return sum;
  }

  /**
   * The share's final join count, or -1 while it may still change: it is open, or a count still
   * holds a reader (S4). Of a closed share, a count read with no holder keeps its joins for good: a
   * joiner's increment after that read backs out (S1), and a back-out leaves the joins as they
   * were.
   */
  long joinsIfFinal() {
    if (open) {
      return -1;
    }
    long sum = 0;
    for (int at = PAD; at < counts.length(); at += SHARED) { // every count, own and shared
      // The wraps read on both sides of the count, so that a back-out's wrap and its undoing
      // cannot pair a count with the wrong number of wraps.
      long wraps = counts.get(at + 2);
      long v = counts.get(at);
      if (holdersIn(v) != 0 || counts.get(at + 2) != wraps) {
        return -1;
      }
      sum += (wraps << 32) + (v >>> 32);
    }
    return sum;
  }

  @Override
  String describe() {
    String lost = node.lost == null ? "" : " (lost: " + node.lost + ")";
    return "read node "
        + node.name()
        + " shared by "
        + Math.max(0, holders())
        + " call(s)"
        + (open ? "" : ", closed to new readers")
        + lost;
  }

  /** The number of slots for this machine: a power of two, about two per core. */
  static int stripesFor(int cores) {
    int n = Integer.highestOneBit(Math.max(1, Math.min(cores, 32)) * 2 - 1) * 2;
    return Math.max(2, Math.min(64, n));
  }
}
