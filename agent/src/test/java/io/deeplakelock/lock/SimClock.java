package io.deeplakelock.lock;

import java.util.PriorityQueue;

/**
 * Virtual time for the simulation harness: {@link #nanoTime()} moves only when the scheduler
 * advances it, and a timer task runs only when the scheduler runs it, once its time has come.
 */
final class SimClock implements LockClock {

  private static final class Timer implements Comparable<Timer> {
    final long when;
    final long order;
    final Runnable task;

    Timer(long when, long order, Runnable task) {
      this.when = when;
      this.order = order;
      this.task = task;
    }

    @Override
    public int compareTo(Timer other) {
      int c = Long.compare(when, other.when);
      return c != 0 ? c : Long.compare(order, other.order);
    }
  }

  private final PriorityQueue<Timer> timers = new PriorityQueue<>();
  private long now;
  private long scheduled;

  @Override
  public long nanoTime() {
    return now;
  }

  @Override
  public void schedule(Runnable task, long delayNanos) {
    timers.add(new Timer(now + Math.max(0, delayNanos), scheduled++, task));
  }

  /** Whether a timer is due now. */
  boolean hasDue() {
    Timer next = timers.peek();
    return next != null && next.when <= now;
  }

  /** When the next timer is due, or {@code Long.MAX_VALUE} when none is scheduled. */
  long nextTimer() {
    Timer next = timers.peek();
    return next == null ? Long.MAX_VALUE : next.when;
  }

  /** Runs the earliest due timer, as the timer thread would; false when none is due. */
  boolean runDue() {
    if (!hasDue()) {
      return false;
    }
    timers.poll().task.run();
    return true;
  }

  /** Moves time forward to {@code when} (never back). */
  void advanceTo(long when) {
    if (when > now) {
      now = when;
    }
  }

  int pendingTimers() {
    return timers.size();
  }
}
