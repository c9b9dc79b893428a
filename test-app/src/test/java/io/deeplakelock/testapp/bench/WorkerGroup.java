package io.deeplakelock.testapp.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * The worker JVMs of one variant in one run, with the file each writes its recorded bodies to. Once
 * a worker fails the group is broken for the rest of the run (its other cells are reported as
 * failed) and the next run starts fresh ones.
 */
final class WorkerGroup implements AutoCloseable {

  private final Variant variant;
  private final List<WorkerProcess> workers;
  private final List<Path> intervals;
  private String broken;

  WorkerGroup(Variant variant, List<WorkerProcess> workers, List<Path> intervals) {
    this.variant = variant;
    this.workers = List.copyOf(workers);
    this.intervals = List.copyOf(intervals);
  }

  Variant variant() {
    return variant;
  }

  List<WorkerProcess> workers() {
    return workers;
  }

  Path intervals(int worker) {
    return intervals.get(worker);
  }

  /** Why the group cannot run cells any more, or null. */
  String broken() {
    return broken;
  }

  void breakWith(String reason) {
    broken = reason;
  }

  @Override
  public void close() {
    for (WorkerProcess worker : workers) {
      worker.close();
    }
  }
}
