package io.deeplakelock.audit;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * At most {@code perMinute} report lines in any minute-long window that starts with a line; the
 * lines held back are counted so the next line that goes out can say how many.
 */
final class ReportLimit {

  private static final long MINUTE_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final int perMinute;
  private final LongSupplier nanoTime;
  private long windowStart;
  private int used;
  private long heldBack;
  private long heldBackTotal;

  ReportLimit(int perMinute, LongSupplier nanoTime) {
    this.perMinute = perMinute;
    this.nanoTime = nanoTime;
  }

  /**
   * Whether a line may go out now.
   *
   * @return -1 when it may not; otherwise how many lines were held back since the last one
   */
  synchronized long tryReport() {
    long now = nanoTime.getAsLong();
    if (used == 0 || now - windowStart >= MINUTE_NANOS) {
      windowStart = now;
      used = 0;
    }
    if (used >= perMinute) {
      heldBack++;
      heldBackTotal++;
      return -1;
    }
    used++;
    long before = heldBack;
    heldBack = 0;
    return before;
  }

  /** Lines held back since the agent started. */
  synchronized long heldBackTotal() {
    return heldBackTotal;
  }
}
