package io.deeplakelock.testapp.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One workload of the grid: the share of calls that write, threads per JVM, JVMs, and how many
 * datasets the threads pick from.
 */
record Cell(int writePercent, int threads, int jvms, int datasets) {

  private static final int[] MIXES = {0, 10, 50, 100};
  private static final int[] THREADS = {1, 4, 16};
  private static final int[] JVMS = {1, 3};
  private static final int[] DATASETS = {1, 100};

  /** Readers only, where the agent should come close to no locking at all. */
  static final Cell READ_ONLY_16_THREADS = new Cell(0, 16, 1, 1);

  /** One writer thread in one JVM: lingering should make its lock almost free. */
  static final Cell SINGLE_WRITER = new Cell(100, 1, 1, 1);

  /** One writer thread in each of three JVMs: every write is a hand-off between JVMs. */
  static final Cell SINGLE_WRITER_PER_JVM = new Cell(100, 1, 3, 1);

  /** All 48 cells: 4 mixes x 3 thread counts x 2 JVM counts x 2 dataset counts. */
  static List<Cell> fullGrid() {
    List<Cell> cells = new ArrayList<>();
    for (int writes : MIXES) {
      for (int threads : THREADS) {
        for (int jvms : JVMS) {
          for (int datasets : DATASETS) {
            cells.add(new Cell(writes, threads, jvms, datasets));
          }
        }
      }
    }
    return cells;
  }

  /** The cells the ratios are about, for {@code --quick}. */
  static List<Cell> quick() {
    return List.of(
        READ_ONLY_16_THREADS, SINGLE_WRITER, SINGLE_WRITER_PER_JVM, new Cell(10, 4, 3, 100));
  }

  String mix() {
    return switch (writePercent) {
      case 0 -> "read-only";
      case 100 -> "write-only";
      default -> (100 - writePercent) + "/" + writePercent;
    };
  }

  boolean hasWriters() {
    return writePercent > 0;
  }

  /** Whether writes can pass from one JVM to another. */
  boolean handsOff() {
    return hasWriters() && jvms > 1;
  }

  String label() {
    return String.format(
        Locale.ROOT, "%-10s %2d thr %d JVM %3d ds", mix(), threads, jvms, datasets);
  }
}
