package io.deeplakelock.lock;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A read node shared by every reading thread of this JVM: the first reader creates it, the others
 * join it, and it is removed once it is closed to new readers and its last reader has left.
 *
 * <p><b>Joining without the lock.</b> Holders are counted in striped counters, one cache line pair
 * per stripe, so reading threads on different cores do not fight over one counter. A joiner
 * increments its stripe and then checks {@link #open}; a closer clears {@link #open} and then sums
 * the stripes. Both are sequentially consistent, so either the joiner sees the share closed (and
 * backs out) or the closer sees the joiner. Once closed, the count only falls; the engine removes
 * the node when, under its lock, it finds the count zero.
 *
 * <p><b>Closing.</b> A share closes, never to reopen, when a writer (of any process, this one
 * included) queues behind its node (phase fairness: later readers queue behind that writer with a
 * fresh node), at the first sign that the node may be gone, when its last reader leaves without
 * {@code linger}, or when the linger timer finds it unused for a whole period.
 */
final class ReadShare extends Hold {

  /** Longs per stripe: 16 x 8 bytes = 128 bytes, two cache lines, so stripes never share one. */
  private static final int PAD = 16;

  private final AtomicLongArray counts;
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
    this.counts = new AtomicLongArray(stripes * PAD);
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
    enter(stripe);
    OwnNode n = node;
    if (open && n.lost == null && !n.suspect && n.session == liveSession) {
      if (!used) {
        used = true; // one write per linger period, a read otherwise
      }
      return true;
    }
    exit(stripe);
    return false;
  }

  /** Counts a holder in. */
  void enter(int stripe) {
    counts.getAndIncrement((stripe & mask) * PAD);
  }

  /** Counts a holder out; returns the stripe's new count (0 means the total may be 0 now). */
  long exit(int stripe) {
    return counts.decrementAndGet((stripe & mask) * PAD);
  }

  /** The holders now; exact once the share is closed and no joiner is backing out. */
  long holders() {
    long sum = 0;
    for (int i = 0; i <= mask; i++) {
      sum += counts.get(i * PAD);
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

  /** The number of stripes for this machine: a power of two, about two per core. */
  static int stripesFor(int cores) {
    int n = Integer.highestOneBit(Math.max(1, Math.min(cores, 32)) * 2 - 1) * 2;
    return Math.max(2, Math.min(64, n));
  }
}
