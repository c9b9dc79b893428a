package io.deeplakelock.lock;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A thread that takes a dataset lock, holds it until told to release, then releases it: a second
 * caller of the same JVM for the lock tests. Every wait is on a latch or future, with a deadline.
 */
final class LockHolder extends Thread {

  static final long WAIT_SECONDS = 10;

  /** How long a holder is watched to show that it keeps waiting. */
  static final long STAYS_BLOCKED_MILLIS = 300;

  private final DatasetLock lock;
  private final LockCall call;
  final CountDownLatch acquired = new CountDownLatch(1);
  final CountDownLatch release = new CountDownLatch(1);
  final CompletableFuture<Throwable> failed = new CompletableFuture<>();
  private final CompletableFuture<Throwable> released = new CompletableFuture<>();

  /** Counted down once the acquire returned or threw. */
  final CountDownLatch attempted = new CountDownLatch(1);

  volatile long token;
  volatile boolean interruptedAfterFailure;

  /** How long the acquire took, granted or not; -1 while it runs. */
  volatile long acquireNanos = -1;

  /** Starts a holder named {@code name}. */
  static LockHolder start(DatasetLock lock, LockCall call, String name) {
    LockHolder holder = new LockHolder(lock, call, name);
    holder.start();
    return holder;
  }

  private LockHolder(DatasetLock lock, LockCall call, String name) {
    super(name);
    this.lock = lock;
    this.call = call;
    setDaemon(true);
  }

  @Override
  public void run() {
    HeldLock held;
    long start = System.nanoTime();
    try {
      held = lock.acquire(call);
    } catch (Throwable t) {
      acquireNanos = System.nanoTime() - start;
      interruptedAfterFailure = Thread.currentThread().isInterrupted();
      failed.complete(t);
      attempted.countDown();
      return;
    }
    acquireNanos = System.nanoTime() - start;
    token = held.info().token();
    acquired.countDown();
    attempted.countDown();
    try {
      release.await();
      held.close();
      released.complete(null);
    } catch (Throwable t) {
      released.complete(t);
    }
  }

  void awaitAcquired() throws InterruptedException {
    if (!acquired.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
      fail(getName() + " did not get the lock; failure: " + failed.getNow(null));
    }
  }

  /** Waits for the acquire to return or throw; returns how long it took, in nanoseconds. */
  long awaitAttempt(long seconds) throws InterruptedException {
    if (!attempted.await(seconds, TimeUnit.SECONDS)) {
      fail(getName() + "'s acquire neither returned nor threw within " + seconds + " s");
    }
    return acquireNanos;
  }

  /** What the acquisition threw. */
  Throwable awaitFailure() throws Exception {
    return failed.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  /** Releases, and returns what the release threw, or null. */
  Throwable releaseAndAwaitOutcome() throws Exception {
    release.countDown();
    return released.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  void releaseAndJoin() throws Exception {
    Throwable t = releaseAndAwaitOutcome();
    if (t != null) {
      throw new AssertionError(getName() + " failed to release", t);
    }
    join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
  }

  /** Ends the holder however far it got: used by the tests' clean-up. */
  void stopAndJoin() throws InterruptedException {
    release.countDown();
    interrupt();
    join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
  }

  void assertStaysBlocked() throws InterruptedException {
    assertFalse(
        acquired.await(STAYS_BLOCKED_MILLIS, TimeUnit.MILLISECONDS),
        getName() + " must still be waiting");
    assertFalse(failed.isDone(), () -> getName() + " failed: " + failed.getNow(null));
  }
}
