package io.deeplakelock.lock;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engines' clock in production: {@code System.nanoTime()} and one named daemon timer thread.
 */
final class TimerClock implements LockClock, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TimerClock.class);

  private final ScheduledThreadPoolExecutor timer;

  TimerClock() {
    timer = new ScheduledThreadPoolExecutor(1, new DaemonThreads("timer"));
    timer.setRemoveOnCancelPolicy(true);
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public void schedule(Runnable task, long delayNanos) {
    try {
      timer.schedule(
          () -> {
            try {
              task.run();
            } catch (RuntimeException | Error e) {
              log.warn("lock housekeeping failed: {}", e.toString(), e);
            }
          },
          delayNanos,
          TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("timer stopped; task dropped: {}", e.toString());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
