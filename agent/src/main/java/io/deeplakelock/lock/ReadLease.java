package io.deeplakelock.lock;

import io.deeplakelock.bridge.LockMode;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A read node shared by every reading thread of this JVM: the first reader creates it, the others
 * join it, the last one out removes it.
 *
 * <p><b>Joining without contention.</b> Holders are counted in striped counters, one cache line per
 * stripe, so that reading threads on different cores do not fight over one counter. A joiner
 * increments its stripe and then checks {@link #open}; a closer clears {@link #open} and then sums
 * the stripes. Both are sequentially consistent, so either the joiner sees the lease closed (and
 * backs out) or the closer sees the joiner. Once closed, the count only falls, and whoever brings
 * it to zero removes the node.
 *
 * <p><b>Phase fairness.</b> The lease closes when a writer (of any process, this one included)
 * queues behind its node; later readers queue behind that writer with a fresh node.
 */
final class ReadLease extends Lease {

  /** Longs per stripe: 16 x 8 bytes = 128 bytes, two cache lines, so stripes never share one. */
  private static final int PAD = 16;

  private final AtomicLongArray counts;
  private final int mask;

  /** Joinable: cleared once, when a writer queues behind the node or the last reader leaves. */
  volatile boolean open = true;

  /** Joined since the linger timer last looked (only kept up with {@code linger}). */
  volatile boolean used = true;

  ReadLease(LockNode node, int stripes) {
    super(node, LockMode.READ);
    this.mask = stripes - 1;
    this.counts = new AtomicLongArray(stripes * PAD);
  }

  /** Counts a holder in; the caller must then check {@link #open} and back out if it is clear. */
  void enter(int stripe) {
    counts.getAndIncrement((stripe & mask) * PAD);
  }

  /** Counts a holder out; returns the stripe's new count (0 means the total may be 0 now). */
  long exit(int stripe) {
    return counts.decrementAndGet((stripe & mask) * PAD);
  }

  /** The holders now; exact once the lease is closed and no joiner is backing out. */
  long holders() {
    long sum = 0;
    for (int i = 0; i <= mask; i++) {
      sum += counts.get(i * PAD);
    }
    return sum;
  }

  /** The number of stripes for this machine: a power of two, about two per core. */
  static int stripesFor(int cores) {
    int n = Integer.highestOneBit(Math.max(1, Math.min(cores, 32)) * 2 - 1) * 2;
    return Math.max(2, Math.min(64, n));
  }
}
