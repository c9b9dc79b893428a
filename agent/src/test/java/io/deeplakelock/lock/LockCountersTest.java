package io.deeplakelock.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.deeplakelock.bridge.LockMode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Unit tests for {@link LockCounters}: C1, the acquisition count made of the adder and the joins
 * counted in the read shares, exact whenever no call is entering or leaving.
 */
class LockCountersTest {

  private static final long SESSION = 7;

  private static ReadShare share() {
    OwnNode node = new OwnNode(LockMode.READ, new byte[0]);
    node.session = SESSION;
    ReadShare s = new ReadShare(node, 4);
    node.hold = s;
    return s;
  }

  /** A fast-path join as {@link DatasetLock#enter} makes it. */
  private static void join(LockCounters c, ReadShare s, int stripe) {
    if (!s.tryJoin(stripe, SESSION)) {
      throw new AssertionError("not joined");
    }
    c.joined(s);
  }

  @Test
  void countsJoinsOfEveryShareAndGrantsOnceAcrossClosesAndReads() {
    LockCounters c = new LockCounters();
    ReadShare first = share();
    first.enter(0); // granted on the slow path, counted by DatasetLock
    c.acquisitions.increment();
    join(c, first, 1);
    join(c, first, 2);
    assertEquals(3, c.acquisitions());
    join(c, first, 1);
    assertEquals(4, c.acquisitions(), "a read of the count must not drop later joins");
    first.open = false; // a writer queued; three readers still inside
    assertEquals(4, c.acquisitions());
    ReadShare second = share();
    second.enter(3);
    c.acquisitions.increment();
    join(c, second, 0);
    first.exit(1);
    first.exit(1);
    c.leftClosedShare();
    first.exit(2);
    first.exit(0);
    c.leftClosedShare(); // first is final now: folded, once
    assertEquals(6, c.acquisitions());
    assertEquals(6, c.acquisitions());
    join(c, second, 2);
    assertEquals(7, c.acquisitions());
  }

  @Test
  void concurrentJoinsAcrossACloseAreCountedExactlyOnceTheyAreOver() throws Exception {
    for (int round = 0; round < 50; round++) {
      LockCounters c = new LockCounters();
      ReadShare s = share();
      s.enter(0);
      c.acquisitions.increment();
      int readers = 3;
      int calls = 2_000;
      long[] joined = new long[readers];
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int r = 0; r < readers; r++) {
        int self = r;
        threads.add(
            new Thread(
                () -> {
                  await(go);
                  for (int i = 0; i < calls; i++) {
                    if (!s.tryJoin(self + 1, SESSION)) {
                      return; // closed: the call would take the slow path
                    }
                    c.joined(s);
                    joined[self]++;
                    c.acquisitions(); // a status read while joins go on
                    s.exit(self + 1);
                    if (!s.open) {
                      c.leftClosedShare();
                    }
                  }
                }));
      }
      int closeAfter = round * 40;
      threads.add(
          new Thread(
              () -> {
                await(go);
                for (int i = 0; i < closeAfter; i++) {
                  c.acquisitions();
                }
                s.open = false;
                s.exit(0);
                c.leftClosedShare();
              }));
      for (Thread t : threads) {
        t.start();
      }
      go.countDown();
      for (Thread t : threads) {
        t.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(t.isAlive(), t.getName() + " is stuck");
      }
      long expected = 1;
      for (long j : joined) {
        expected += j;
      }
      assertEquals(expected, c.acquisitions(), "round " + round);
      assertEquals(expected, c.acquisitions(), "round " + round + ", read again");
    }
  }

  private static void await(CountDownLatch go) {
    try {
      go.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
