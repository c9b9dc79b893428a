package io.deeplakelock.testapp.bench;

import java.util.List;

/** Calls the workload as the service would: the unguarded variant, and under the agent. */
final class DirectCalls implements Calls {

  private final String[] datasets;

  DirectCalls(List<String> datasets) {
    this.datasets = datasets.toArray(new String[0]);
  }

  @Override
  public long call(LockBenchApp app, int d, boolean write) {
    return write ? app.write(datasets[d]) : app.read(datasets[d]);
  }
}
