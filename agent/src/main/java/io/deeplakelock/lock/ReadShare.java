package io.deeplakelock.lock;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A read node shared by every reading thread of this JVM: the first reader creates it, the others
 * join it, and it is removed once it is closed to new readers and its last reader has left.
 *
 * <p><b>Per-thread slots.</b> Holders are counted in slots, one per thread number modulo the slot
 * count ({@link #stripesFor}: about two per core, so with up to that many reading threads each has
 * a slot of its own). Each slot sits alone on two cache lines, away from the array's header too
 * (which every access reads for its bounds check), so a thread joining and leaving writes only its
 * own lines. Threads beyond the slot count share slots, which is why slots are changed by atomic
 * increments, not plain stores: one such increment to join and one to leave, on a line nobody else
 * writes while threads have slots of their own. The engine counts a request it grants in the slot
 * of the request's thread.
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
 *   <li><b>S3, the last reader out is found.</b> Once closed, counts only fall. A leaver decrements
 *       its slot and, when it needs to know whether it was the last (closed, or {@code linger: 0}),
 *       reads the other slots ({@link #anyHolder}; its own it knows from its decrement). Of
 *       concurrent leavers, the one whose decrement is last in the total order sees every slot at
 *       zero and takes the engine's lock, which removes the node; the others each saw a later
 *       decrement's slot still non-zero. {@link #anyHolder} stops at the first non-zero slot,
 *       looking first where the same thread found one last time: with one long-running reader, a
 *       leaver reads that reader's quiet slot, not the lines the other short readers are writing.
 *   <li><b>S4, every join counted once.</b> A slot's long holds its holders in the low 32 bits and,
 *       above them, the joins made through {@link #tryJoin} (modulo 2<sup>32</sup>; the long after
 *       the hint counts the wraps): a join adds one to both in its one increment, a back-out takes
 *       both away again, and neither {@link #enter} (the engine's grants, which {@link DatasetLock}
 *       counts itself) nor {@link #exit} touches the joins. So {@link LockCounters#acquisitions}
 *       needs no atomic of its own per join. Holders never go below zero, so the low half never
 *       borrows from the high one. Once closed, a slot read with no holder has its final join count
 *       (by S1, a later increment is a back-out that is undone): {@link #joinsIfFinal}.
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

  /** One join in a slot's long (S4): the joins count above the 32 bits of holders. */
  static final long JOIN = 1L << 32;

  /** What a join adds to its slot: one holder and one join. */
  private static final long JOIN_AND_HOLDER = JOIN + 1;

  /** The join count's value just before it wraps to 0 (its 32 bits all set). */
  private static final long LAST_JOIN = 0xFFFF_FFFFL;

  /**
   * Per slot at {@code (stripe + 1) * PAD}, the first PAD longs keeping the array header: the
   * holders and joins (S4); in the long after it its threads' {@link #anyHolder} hint; in the one
   * after that how often its joins wrapped.
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
    int at = slot(stripe);
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

  /** Counts a holder in (a grant of the engine's: not a join, S4). */
  void enter(int stripe) {
    counts.getAndIncrement(slot(stripe));
  }

  /** Counts a holder out; returns the stripe's new count (0 means the total may be 0 now). */
  long exit(int stripe) {
    return holdersIn(counts.decrementAndGet(slot(stripe)));
  }

  /** The holders in a slot's long: its low 32 bits (S4). */
  private static int holdersIn(long slotValue) {
    return (int) slotValue;
  }

  private int slot(int stripe) {
    return ((stripe & mask) + 1) * PAD;
  }

  /**
   * Whether any slot other than {@code stripe}'s holds a reader now (S3): stops at the first that
   * does, trying first the one where this thread's last look found one. That hint lives beside the
   * thread's own count, on lines only that slot's threads write: a hint kept in this object would
   * be written by each leaver in turn, beside {@link #open}, which every join reads.
   */
  boolean anyHolder(int stripe) {
    int own = stripe & mask;
    int hintAt = slot(own) + 1;
    int hint = (int) counts.get(hintAt) & mask;
    if (hint != own && holdersIn(counts.get(slot(hint))) > 0) {
      return true;
    }
    for (int i = 0; i <= mask; i++) {
      if (i != own && i != hint && holdersIn(counts.get(slot(i))) > 0) {
        counts.lazySet(hintAt, i); // a hint: no ordering needed
        return true;
      }
    }
    return false;
  }

  /** The holders now; exact once the share is closed and no joiner is backing out. */
  long holders() {
    long sum = 0;
    for (int i = 0; i <= mask; i++) {
      sum += holdersIn(counts.get(slot(i)));
    }
    return sum;
  }

  /**
   * The joins made so far (S4): exact when no join is under way; may be one wrap (2<sup>32</sup>)
   * short while a slot's wrap is being counted.
   */
  long joins() {
    long sum = 0;
    for (int i = 0; i <= mask; i++) {
      int at = slot(i);
      sum += (counts.get(at + 2) << 32) + (counts.get(at) >>> 32);
    }
    return sum;
  }

  /**
   * The share's final join count, or -1 while it may still change: it is open, or a slot still
   * holds a reader (S4). Of a closed share, a slot read with no holder keeps its joins for good: a
   * joiner's increment after that read backs out (S1), and a back-out leaves the joins as they
   * were.
   */
  long joinsIfFinal() {
    if (open) {
      return -1;
    }
    long sum = 0;
    for (int i = 0; i <= mask; i++) {
      int at = slot(i);
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
