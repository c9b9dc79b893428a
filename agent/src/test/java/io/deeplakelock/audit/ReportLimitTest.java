package io.deeplakelock.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Unit tests for {@link ReportLimit}. */
class ReportLimitTest {

  private final AtomicLong now = new AtomicLong(1_000);
  private final ReportLimit limit = new ReportLimit(2, now::get);

  @Test
  void atMostThePerMinuteNumberOfLinesThenTheHeldBackCount() {
    assertEquals(0, limit.tryReport());
    assertEquals(0, limit.tryReport());
    assertEquals(-1, limit.tryReport());
    assertEquals(-1, limit.tryReport());
    now.addAndGet(TimeUnit.SECONDS.toNanos(59));
    assertEquals(-1, limit.tryReport(), "still the same minute");
    now.addAndGet(TimeUnit.SECONDS.toNanos(1));
    assertEquals(3, limit.tryReport(), "the next line says how many were held back");
    assertEquals(0, limit.tryReport());
    assertEquals(-1, limit.tryReport());
    assertEquals(4, limit.heldBackTotal());
  }
}
