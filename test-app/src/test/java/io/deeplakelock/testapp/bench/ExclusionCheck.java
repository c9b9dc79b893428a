package io.deeplakelock.testapp.bench;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * What the recorded method bodies of one cell say about the lock: how many write bodies overlapped
 * another body (read or write, any JVM) on the same dataset, which a working read/write lock never
 * allows, and the hand-offs between JVMs: for each write whose previous write on the same dataset
 * came from another JVM, its body start minus that write's body end. Only writes that were already
 * waiting when that body ended (called before it) count: otherwise the gap is idle time, not a
 * hand-off (with 100 datasets most writes find their dataset idle).
 *
 * <p>The caller passes every body that started within a window (and none before it), so "the
 * previous write" is always the real one; the first write of each dataset in the window has no
 * known predecessor and gives no hand-off. Bodies that merely touch (one ends at the nanosecond the
 * next starts) do not overlap.
 */
final class ExclusionCheck {

  private static final Comparator<BodyInterval> BY_DATASET_THEN_START =
      Comparator.comparingInt(BodyInterval::dataset)
          .thenComparingLong(BodyInterval::start)
          .thenComparingLong(BodyInterval::end);

  /**
   * @param bodies checked; bodies counts every one, writes the write bodies
   * @param overlappingWrites write bodies that overlapped at least one other body
   * @param handoffs nanoseconds per cross-JVM hand-off, ascending
   */
  record Result(long bodies, long writes, long overlappingWrites, long[] handoffs) {}

  private ExclusionCheck() {}

  static Result check(List<BodyInterval> recorded) {
    BodyInterval[] bodies = recorded.toArray(new BodyInterval[0]);
    Arrays.sort(bodies, BY_DATASET_THEN_START);
    long writes = 0;
    long overlapping = 0;
    long[] handoffs = new long[16];
    int handoffCount = 0;
    for (int from = 0, to; from < bodies.length; from = to) {
      int dataset = bodies[from].dataset();
      to = from;
      while (to < bodies.length && bodies[to].dataset() == dataset) {
        to++;
      }
      long latestEndBefore = Long.MIN_VALUE; // of the bodies that started before bodies[i]
      BodyInterval previousWrite = null;
      for (int i = from; i < to; i++) {
        BodyInterval b = bodies[i];
        if (b.write()) {
          writes++;
          // Sorted by start: b overlaps an earlier-starting body iff one of them ends after b
          // starts, and a later-starting one iff the very next one starts before b ends.
          boolean overlapsEarlier = latestEndBefore > b.start();
          boolean overlapsLater = i + 1 < to && bodies[i + 1].start() < b.end();
          if (overlapsEarlier || overlapsLater) {
            overlapping++;
          }
          if (previousWrite != null
              && previousWrite.jvm() != b.jvm()
              && b.called() < previousWrite.end()) {
            if (handoffCount == handoffs.length) {
              handoffs = Arrays.copyOf(handoffs, handoffCount * 2);
            }
            handoffs[handoffCount++] = b.start() - previousWrite.end();
          }
          previousWrite = b;
        }
        latestEndBefore = Math.max(latestEndBefore, b.end());
      }
    }
    long[] sorted = Arrays.copyOf(handoffs, handoffCount);
    Arrays.sort(sorted);
    return new Result(bodies.length, writes, overlapping, sorted);
  }
}
