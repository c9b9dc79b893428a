package io.deeplakelock.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.bridge.LockMode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;

/**
 * Unit tests for {@link ReadShare}: its invariants S1-S3, alone and under concurrent joins, leaves
 * and a close, with the engine's side played by {@link Closer} exactly as {@link LockEngine} does
 * it (close under a lock, then count; a leaver that may be the last takes the lock and reaps).
 */
class ReadShareTest {

  private static final long SESSION = 42;

  private static ReadShare share(int slots) {
    OwnNode node = new OwnNode(LockMode.READ, new byte[0]);
    node.session = SESSION;
    ReadShare s = new ReadShare(node, slots);
    node.hold = s;
    return s;
  }

  @Test
  void joinsAnOpenTrustedShareAndCountsItsHolder() {
    ReadShare s = share(4);
    assertTrue(s.tryJoin(3, SESSION));
    assertEquals(1, s.holders());
    assertTrue(s.anyHolder(0));
    assertEquals(0, s.exit(3));
    assertFalse(s.anyHolder(0));
  }

  @Test
  void neverJoinsAClosedLostSuspectOrOtherSessionsShareAndLeavesNoCount() {
    ReadShare closed = share(4);
    closed.open = false;
    ReadShare lost = share(4);
    lost.node.lost = LockLoss.SESSION_EXPIRED;
    ReadShare suspect = share(4);
    suspect.node.suspect = true;
    for (ReadShare s : new ReadShare[] {closed, lost, suspect}) {
      assertFalse(s.tryJoin(1, SESSION));
      assertEquals(0, s.holders());
    }
    ReadShare older = share(4);
    assertFalse(older.tryJoin(1, SESSION + 1));
    assertEquals(0, older.holders());
  }

  @Test
  void anyHolderFindsAHolderInEveryOtherSlotWhateverItLastSaw() {
    int slots = ReadShare.stripesFor(8);
    ReadShare s = share(slots);
    s.enter(0);
    assertFalse(s.anyHolder(0), "its own slot the leaver knows from its decrement");
    s.exit(0);
    for (int i = 1; i < slots; i++) { // each find moves stripe 0's hint; the old one is stale
      s.enter(i);
      assertTrue(s.anyHolder(0), "slot " + i);
      s.exit(i);
      assertFalse(s.anyHolder(0), "slot " + i);
    }
    // Threads beyond the slot count share slots, in the slot's shared count: both are counted,
    // and a leaver's decrement tells it only of its own count, so it looks at the other one.
    s.enter(1);
    s.enter(1 + slots);
    assertEquals(0, s.exit(1), "thread 1's own count");
    assertTrue(s.anyHolder(0));
    assertTrue(s.anyHolder(1), "the shared count of thread 1's slot still holds a reader");
    s.enter(1);
    assertEquals(0, s.exit(1 + slots), "the shared count");
    assertTrue(s.anyHolder(1 + slots), "the own count of its slot still holds thread 1");
    assertEquals(0, s.exit(1));
    assertFalse(s.anyHolder(0));
    assertFalse(s.anyHolder(1));
    assertEquals(0, s.holders(), "the hints are not counted");
  }

  @Test
  void onlyTheJvmsFirstThreadsOwnACountAndLeaveByStore() {
    ReadShare s = share(4);
    for (int stripe = 0; stripe < 4; stripe++) {
      assertTrue(s.ownsCount(stripe), "thread " + stripe);
    }
    assertFalse(s.ownsCount(4));
    assertFalse(s.ownsCount(CallFrames.stripe(Integer.MAX_VALUE)));
    assertTrue(s.tryJoin(2, SESSION));
    assertTrue(s.tryJoin(6, SESSION)); // slot 2's shared count
    s.exitOwn(2);
    assertEquals(1, s.holders());
    assertEquals(2, s.joins(), "a leave by store keeps the joins");
    s.open = false;
    assertEquals(-1, s.joinsIfFinal(), "the shared count still holds thread 6");
    assertEquals(0, s.exit(6));
    assertEquals(2, s.joinsIfFinal());
  }

  @Test
  void threadNumbersNeverRepeatWhereTheyOwnACount() {
    assertEquals(0, CallFrames.stripe(0));
    assertEquals(63, CallFrames.stripe(63));
    assertEquals(Integer.MAX_VALUE - 1, CallFrames.stripe(Integer.MAX_VALUE - 1));
    for (long n = Integer.MAX_VALUE; n < Integer.MAX_VALUE + 1000L; n++) {
      int stripe = CallFrames.stripe(n);
      assertTrue(stripe >= 64 && stripe < 128, n + " -> " + stripe); // above every slot count
    }
    assertTrue(CallFrames.stripe(Long.MAX_VALUE) >= 64);
  }

  @Test
  void countsEachJoinOnceAndNeitherAGrantNorABackOut() {
    ReadShare s = share(4);
    assertTrue(s.tryJoin(1, SESSION));
    assertTrue(s.tryJoin(1, SESSION));
    assertTrue(s.tryJoin(6, SESSION)); // slot 2
    s.enter(3); // the engine's grant: DatasetLock counts it itself
    assertEquals(3, s.joins());
    assertEquals(4, s.holders());
    assertEquals(-1, s.joinsIfFinal(), "open: more joins may come");
    s.node.suspect = true; // open, so the join counts itself in, then sees it and backs out
    assertFalse(s.tryJoin(1, SESSION));
    assertEquals(3, s.joins());
    s.open = false;
    assertEquals(4, s.holders());
    s.exit(1);
    s.exit(1);
    s.exit(6);
    assertEquals(-1, s.joinsIfFinal(), "closed, but the grant's reader is still inside");
    s.exit(3);
    assertEquals(0, s.holders());
    assertEquals(3, s.joins(), "leaving counts no join");
    assertEquals(3, s.joinsIfFinal());
  }

  @Test
  void aSlotsJoinCountWrapsWithoutLosingJoinsOrHolders() {
    ReadShare s = share(2);
    int at = 2 * 16; // stripe 1's slot, past the header's padding
    s.counts.set(at, ReadShare.JOIN * 0xFFFF_FFFFL); // 2^32 - 1 joins made, nobody inside
    assertTrue(s.tryJoin(1, SESSION));
    assertEquals(1L << 32, s.joins());
    assertEquals(1, s.holders());
    s.node.suspect = true;
    assertFalse(s.tryJoin(1, SESSION)); // joins past the wrap, and backs out across it
    s.open = false;
    assertEquals(1L << 32, s.joins());
    assertEquals(0, s.exit(1));
    assertEquals(1L << 32, s.joinsIfFinal());
    assertEquals(0, s.holders());
  }

  /** The engine's side: closes under a lock, and removes the node once nobody holds it. */
  private static final class Closer {
    final ReentrantLock mu = new ReentrantLock();
    final ReadShare share;
    final boolean linger;
    final AtomicInteger removals = new AtomicInteger();
    volatile boolean removed;

    Closer(ReadShare share, boolean linger) {
      this.share = share;
      this.linger = linger;
    }

    /** {@code LockEngine.close} then {@code reapShares}: a writer queued behind the node. */
    void close() {
      mu.lock();
      try {
        share.open = false;
        reap();
      } finally {
        mu.unlock();
      }
    }

    /** {@code LockEngine.leave}: the fast return, or the lock and {@code reapShares}. */
    void leave(int stripe) {
      long left = share.exit(stripe);
      if (share.open && (left > 0 || linger || share.anyHolder(stripe))) {
        return;
      }
      mu.lock();
      try {
        if (share.holders() != 0 || (share.open && linger)) {
          return;
        }
        share.open = false;
        reap();
      } finally {
        mu.unlock();
      }
    }

    /**
     * {@code LockEngine.leave} of a kept share by a thread that owns its count: a release store,
     * then the lock only if the share was seen closed (S5).
     */
    void leaveByStore(int stripe) {
      share.exitOwn(stripe);
      if (!share.open) {
        reapIfClosed();
      }
    }

    /**
     * {@code reapShares} under the lock where the share is closed: {@code LockEngine.request} after
     * a failed join (whose back-out may have emptied it), and the engine's recount on its timer
     * (S5).
     */
    void reapIfClosed() {
      mu.lock();
      try {
        if (!share.open) {
          reap();
        }
      } finally {
        mu.unlock();
      }
    }

    private void reap() {
      if (share.holders() == 0 && !removed) {
        removed = true;
        removals.incrementAndGet();
      }
    }
  }

  @Test
  void concurrentJoinsLeavesAndACloseNeverLetAReaderIntoARemovedNodeAndAlwaysRemoveIt()
      throws Exception {
    SplittableRandom seeds = new SplittableRandom(13);
    for (int round = 0; round < 400; round++) {
      long seed = seeds.nextLong();
      int slots = round % 2 == 0 ? 2 : 4; // 3 readers on 2 slots share one
      boolean linger = round % 3 == 0;
      runRound(seed, slots, linger, 3);
    }
  }

  private static void runRound(long seed, int slots, boolean linger, int readers) throws Exception {
    Closer closer = new Closer(share(slots), linger);
    ReadShare s = closer.share;
    SplittableRandom random = new SplittableRandom(seed);
    AtomicInteger violations = new AtomicInteger();
    AtomicInteger joins = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    // A reader holds from the start, as the request that created the node would.
    s.enter(0);
    for (int r = 1; r <= readers; r++) {
      int stripe = r;
      int calls = 1 + random.nextInt(200);
      int work = random.nextInt(50);
      threads.add(
          actor(
              "reader-" + r,
              go,
              () -> {
                for (int c = 0; c < calls; c++) {
                  if (!s.tryJoin(stripe, SESSION)) {
                    closer.reapIfClosed(); // then it would queue this call for a fresh node
                    return;
                  }
                  joins.incrementAndGet();
                  if (closer.removed) {
                    violations.incrementAndGet(); // S1: inside a removed node
                  }
                  spin(work);
                  if (closer.removed) {
                    violations.incrementAndGet(); // removed while a reader was inside
                  }
                  if (linger && s.ownsCount(stripe)) {
                    closer.leaveByStore(stripe); // kept: the engine leaves by store (S5)
                  } else {
                    closer.leave(stripe);
                  }
                }
              }));
    }
    int closeAfter = random.nextInt(100);
    threads.add(
        actor(
            "closer",
            go,
            () -> {
              spin(closeAfter);
              closer.close();
            }));
    threads.add(actor("first-holder", go, () -> closer.leave(0)));
    for (Thread t : threads) {
      t.start();
    }
    go.countDown();
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(30));
      assertFalse(t.isAlive(), t.getName() + " is stuck (seed " + seed + ")");
    }
    closer.reapIfClosed(); // as the engine's timer does for a closed share found held (S5)
    String round = "seed " + seed + ", " + slots + " slots, linger " + linger;
    assertEquals(0, violations.get(), "readers inside a removed node: " + round);
    assertFalse(s.open, round);
    assertEquals(0, s.holders(), round);
    // S4: every join that got in counted once, every back-out not at all; final once empty.
    assertEquals(joins.get(), s.joinsIfFinal(), "joins counted: " + round);
    // S3: once closed and empty, exactly one party saw it empty and removed the node.
    assertEquals(1, closer.removals.get(), "removals: " + round + ", " + joins + " joins");
  }

  /**
   * Runs {@code a} and {@code b} on two threads over the same trial numbers in lockstep, as
   * JCStress does: neither starts trial {@code i} before the other has finished trial {@code i -
   * 1}, so the two work on one trial at about the same moment and the interleavings of their few
   * steps show up, store buffers included.
   */
  private static void race(int trials, IntConsumer a, IntConsumer b) throws Exception {
    AtomicIntegerArray done = new AtomicIntegerArray(2); // trials each actor has finished
    List<Thread> actors = new ArrayList<>();
    IntConsumer[] both = {a, b};
    for (int k = 0; k < 2; k++) {
      int self = k;
      Thread t =
          new Thread(
              () -> {
                for (int i = 0; i < trials; i++) {
                  for (int spins = 0; done.get(1 - self) < i; spins++) {
                    if (spins > 100) {
                      Thread.yield(); // the other actor is off its core: let it run
                    }
                  }
                  both[self].accept(i);
                  done.set(self, i + 1);
                }
              },
              "actor-" + k);
      t.setDaemon(true);
      actors.add(t);
      t.start();
    }
    for (Thread t : actors) {
      t.join(TimeUnit.MINUTES.toMillis(2));
      assertFalse(t.isAlive(), "an actor is stuck");
    }
  }

  @Test
  void aJoinRacingACloseEitherBacksOutOrIsCounted() throws Exception {
    int trials = 200_000;
    ReadShare[] shares = new ReadShare[trials];
    Closer[] closers = new Closer[trials];
    for (int i = 0; i < trials; i++) {
      shares[i] = share(2);
      closers[i] = new Closer(shares[i], false);
    }
    boolean[] joined = new boolean[trials];
    race(trials, i -> joined[i] = shares[i].tryJoin(1, SESSION), i -> closers[i].close());
    int both = 0;
    int joins = 0;
    for (int i = 0; i < trials; i++) {
      joins += joined[i] ? 1 : 0;
      both += joined[i] && closers[i].removed ? 1 : 0;
    }
    assertEquals(0, both, "joined a node the closer removed (" + joins + " joins)");
  }

  @Test
  void twoLastReadersLeavingTogetherRemoveTheNodeOnce() throws Exception {
    int trials = 200_000;
    Closer[] closers = new Closer[trials];
    for (int i = 0; i < trials; i++) {
      closers[i] = new Closer(share(4), i % 2 == 0); // closed, or open without linger
      closers[i].share.enter(1);
      closers[i].share.enter(2);
      if (i % 2 == 0) {
        closers[i].close(); // a writer queued: both readers still inside
      }
    }
    race(trials, i -> closers[i].leave(1), i -> closers[i].leave(2));
    for (int i = 0; i < trials; i++) {
      assertEquals(1, closers[i].removals.get(), "trial " + i);
    }
  }

  /**
   * S5: a leave by release store racing a close. The leaver's store and its read of {@code open}
   * may pass each other, so in some trials neither side removes the node (how many, this test
   * prints: store buffers make it happen on x86); the engine's recount, run after both as its timer
   * would, removes it in every trial, and exactly once.
   */
  @Test
  void aLeaveByStoreRacingACloseIsCaughtByTheRecount() throws Exception {
    int trials = 200_000;
    Closer[] closers = new Closer[trials];
    for (int i = 0; i < trials; i++) {
      closers[i] = new Closer(share(2), true);
      closers[i].share.enter(1); // thread 1 owns slot 1's count
    }
    race(trials, i -> closers[i].leaveByStore(1), i -> closers[i].close());
    int missed = 0;
    for (int i = 0; i < trials; i++) {
      missed += closers[i].removals.get() == 0 ? 1 : 0;
      closers[i].reapIfClosed();
      assertEquals(1, closers[i].removals.get(), "trial " + i);
      assertEquals(0, closers[i].share.holders());
    }
    System.out.println(
        "[ReadShareTest] a leave by store and a close both missed the last reader in "
            + missed
            + " of "
            + trials
            + " trials; the recount removed the node in all of them");
  }

  /** A thread that runs {@code body} once {@code go} opens. */
  private static Thread actor(String name, CountDownLatch go, Runnable body) {
    return new Thread(
        () -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            return;
          }
          body.run();
        },
        name);
  }

  private static void spin(int times) {
    for (int i = 0; i < times; i++) {
      Thread.onSpinWait();
    }
  }
}
