package io.deeplakelock.testapp.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Unit tests for the lock benchmark's arithmetic: {@link Percentiles}, {@link Histogram}, CPU per
 * call ({@link CpuTime}) and the overlap and hand-off computation of {@link ExclusionCheck}, on
 * hand-made samples and intervals.
 */
class LockBenchAnalysisTest {

  @Test
  void cpuPerCallIsTheReadingsDifferenceOverTheCallsAndUnknownWhenAReadingIs() {
    assertEquals(250.0, CpuTime.perCall(1_000, 26_000, 100));
    assertTrue(Double.isNaN(CpuTime.perCall(-1, 26_000, 100)), "no reading before");
    assertTrue(Double.isNaN(CpuTime.perCall(1_000, -1, 100)), "no reading after");
    assertTrue(Double.isNaN(CpuTime.perCall(1_000, 26_000, 0)), "no call measured");
  }

  @Test
  void theJitShareIsTheBusiestJvmsAndAWindowIsQuietOnlyBelowOnePercentInEveryJvm() {
    long twoSeconds = 2_000_000_000L;
    assertEquals(0.05, JitTime.busiestShare(new long[] {10, 100, 0}, twoSeconds), 1e-12);
    assertTrue(JitTime.quiet(JitTime.busiestShare(new long[] {0, 19, 5}, twoSeconds)));
    assertFalse(
        JitTime.quiet(JitTime.busiestShare(new long[] {0, 20, 5}, twoSeconds)),
        "1% is not below 1%");
    assertTrue(Double.isNaN(JitTime.busiestShare(new long[] {10, -1}, twoSeconds)), "not counted");
    assertFalse(JitTime.quiet(Double.NaN), "unknown is not quiet");
    assertTrue(Double.isNaN(JitTime.busiestShare(new long[0], twoSeconds)), "no JVM");
  }

  @Test
  void aDoneLineCarriesTheJitTimeOfTheWindow() {
    WorkerReport r =
        WorkerReport.parse(
            "DONE ops=5 errors=0 callNanos=50 recorded=0 complete=9 sink=1 acquire="
                + new Histogram().encode()
                + " jit=42");
    assertEquals(42, r.jitMillis());
    assertEquals(5, r.ops());
  }

  @Test
  void nearestRankPercentilesOfExactSamples() {
    long[] sorted = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
    assertEquals(50, Percentiles.of(sorted, 50));
    assertEquals(100, Percentiles.of(sorted, 99));
    assertEquals(10, Percentiles.of(sorted, 1));
    assertEquals(100, Percentiles.of(sorted, 100));
    assertEquals(7, Percentiles.of(new long[] {7}, 99));
    assertEquals(-1, Percentiles.of(new long[0], 50));
    assertEquals(99, Percentiles.rank(99, 100), "0.99 * 100 must not round up to 100");
  }

  @Test
  void medianOfRunsSkipsMissingFigures() {
    assertEquals(2.0, Percentiles.median(List.of(3.0, 1.0, 2.0)));
    assertEquals(2.5, Percentiles.median(List.of(4.0, 1.0, Double.NaN, 2.0, 3.0)));
    assertTrue(Double.isNaN(Percentiles.median(List.of(Double.NaN))));
  }

  @Test
  void histogramIsExactForSmallValuesAndWithinTwoPercentAbove() {
    Histogram small = new Histogram();
    for (long v = 1; v <= 50; v++) {
      small.record(v);
    }
    assertEquals(25, small.percentile(50));
    assertEquals(50, small.percentile(99));

    Histogram wide = new Histogram();
    for (long v = 1; v <= 100_000; v++) {
      wide.record(v * 1000); // 1 us .. 100 ms
    }
    assertEquals(100_000, wide.count());
    assertWithin(50_000_000, wide.percentile(50), 0.016);
    assertWithin(99_000_000, wide.percentile(99), 0.016);
    assertWithin(100_000_000, wide.percentile(100), 0.016);
  }

  @Test
  void histogramHoldsEveryLongWithinItsPrecision() {
    for (long v : new long[] {0, 63, 64, 65, 127, 128, 1000, 123_456_789, Long.MAX_VALUE}) {
      Histogram one = new Histogram();
      one.record(v);
      assertWithin(v, one.percentile(100), 0.016);
    }
  }

  @Test
  void histogramSurvivesTheProtocolAndMerges() {
    Histogram a = new Histogram();
    Histogram b = new Histogram();
    for (int i = 0; i < 99; i++) {
      a.record(1_000);
    }
    b.record(5_000_000);
    Histogram merged = Histogram.decode(a.encode());
    merged.add(Histogram.decode(b.encode()));
    assertEquals(100, merged.count());
    assertWithin(1_000, merged.percentile(99), 0.016);
    assertWithin(5_000_000, merged.percentile(100), 0.016);
    assertEquals(0, Histogram.decode(new Histogram().encode()).count());
  }

  @Test
  void serialBodiesDoNotOverlapAndHandOffsAreWaitsForAnotherJvm() {
    ExclusionCheck.Result r =
        ExclusionCheck.check(
            List.of(
                write(0, 0, 90, 100, 200),
                write(0, 0, 240, 250, 300), // same JVM: no hand-off
                write(1, 0, 250, 340, 400), // waited for JVM 0's write: hand-off 40
                read(2, 0, 400, 450), // touches the write's end: no overlap
                write(0, 0, 380, 470, 500), // waited for JVM 1's write: 70, the read ignored
                write(2, 0, 600, 610, 650), // called when the dataset was idle: no hand-off
                write(1, 1, 110, 120, 130))); // another dataset: its first write, no hand-off
    assertEquals(7, r.bodies());
    assertEquals(6, r.writes());
    assertEquals(0, r.overlappingWrites());
    assertArrayEquals(new long[] {40, 70}, r.handoffs());
  }

  @Test
  void writesOverlappingAnyBodyOnTheirDatasetAreCounted() {
    ExclusionCheck.Result r =
        ExclusionCheck.check(
            List.of(
                read(0, 0, 100, 1000), // a long read ...
                write(1, 0, 200, 200, 300), // ... that this write overlaps, from another JVM
                write(1, 0, 900, 900, 1100), // ... and this one, at its end
                read(0, 0, 1200, 1300),
                write(0, 0, 1250, 1250, 1260), // inside a read that started earlier
                write(0, 1, 200, 200, 300), // other datasets: no conflict with the above
                write(0, 2, 250, 250, 260)));
    assertEquals(5, r.writes());
    assertEquals(3, r.overlappingWrites());
  }

  @Test
  void aWriteOverlappingALaterStartingWriteIsCountedBothWays() {
    ExclusionCheck.Result r =
        ExclusionCheck.check(List.of(write(0, 0, 100, 100, 500), write(1, 0, 300, 300, 400)));
    assertEquals(2, r.overlappingWrites());
  }

  private static BodyInterval write(int jvm, int dataset, long called, long start, long end) {
    return new BodyInterval(jvm, dataset, true, called, start, end);
  }

  private static BodyInterval read(int jvm, int dataset, long start, long end) {
    return new BodyInterval(jvm, dataset, false, start, start, end);
  }

  private static void assertWithin(long expected, long actual, double relative) {
    assertTrue(
        Math.abs(actual - expected) <= expected * relative,
        actual + " is not within " + relative * 100 + "% of " + expected);
  }
}
