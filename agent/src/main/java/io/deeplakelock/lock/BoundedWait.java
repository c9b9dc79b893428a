package io.deeplakelock.lock;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Waits for a latch at most a given time, whatever interrupts arrive meanwhile, and keeps the
 * interrupt flag: for start-up and connection steps that must not be cut short by an interrupt
 * meant for the service, and must not swallow it either.
 */
public final class BoundedWait {

  private BoundedWait() {}

  /** Returns once {@code latch} is open or {@code nanos} have passed. */
  public static void await(CountDownLatch latch, long nanos) {
    boolean interrupted = false;
    long deadline = System.nanoTime() + nanos;
    try {
      while (true) {
        try {
          latch.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          return;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
