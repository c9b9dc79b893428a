package io.deeplakelock.lock;

/**
 * Time for the lock engine: the monotonic clock and a timer. Production uses {@code
 * System.nanoTime()} and the agent's timer thread; the simulation harness uses virtual time.
 */
interface LockClock {

  long nanoTime();

  /** Runs {@code task} once, on the timer's thread, after at least {@code delayNanos}. */
  void schedule(Runnable task, long delayNanos);
}
