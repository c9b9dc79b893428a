package io.deeplakelock.testapp.faults;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Bounded polling: every wait of the suite has a deadline and says what it waited for. */
final class Waits {
  /** How often a condition is polled. */
  static final long POLL_MILLIS = 5;

  /** A condition to poll. */
  interface Condition {
    boolean met() throws Exception;
  }

  private Waits() {}

  /** Polls until {@code condition} holds; fails the test when {@code timeout} passes first. */
  static void until(String what, Duration timeout, Condition condition) {
    if (!within(timeout, condition)) {
      throw new AssertionError("timed out after " + timeout + " waiting for " + what);
    }
  }

  /** Polls until {@code condition} holds; false when {@code timeout} passes first. */
  static boolean within(Duration timeout, Condition condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (!condition.met()) {
        if (System.nanoTime() - deadline > 0) {
          return false;
        }
        pause();
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting", e);
    } catch (Exception e) {
      throw new AssertionError("failed while waiting: " + e, e);
    }
  }

  /** The interval between two polls. */
  static void pause() {
    try {
      TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting", e);
    }
  }

  /**
   * Keeps a fault in place for {@code length}: the length of a fault is what is being tested (a
   * process stopped for twice the session timeout), not a way to wait for something to happen.
   */
  static void holdFaultFor(Duration length) throws InterruptedException {
    long end = System.nanoTime() + length.toNanos();
    for (long left = length.toNanos(); left > 0; left = end - System.nanoTime()) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }
}
