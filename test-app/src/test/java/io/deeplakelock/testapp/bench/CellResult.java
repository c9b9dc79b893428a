package io.deeplakelock.testapp.bench;

/**
 * What one run of one cell measured for one variant. Latencies in nanoseconds; NaN where a figure
 * does not apply (no hand-offs in one JVM) or the cell failed, in which case {@code failure} says
 * why.
 *
 * @param opsPerSecond calls completed in the measured window, all JVMs, per second
 * @param meanCallNanos mean time from the call site to the call's return
 * @param acquireP50 call site to the first statement of the body, median
 * @param zkWritesPerCall ZooKeeper transactions in the window (zxid delta) per measured call
 * @param zkRequestsPerCall requests the ZooKeeper server received in the window (its {@code srvr}
 *     count, pings included) per measured call
 * @param workerCpuPerCall CPU time of the cell's worker JVMs (all their threads) in the window per
 *     measured call
 * @param serverCpuPerCall CPU time of the ZooKeeper server in the window per measured call
 * @param jitBusiest the busiest worker JVM's JIT compile time in the window over the window's
 *     length ({@link JitTime#busiestShare})
 * @param handoffP50 a write's body start minus the previous write's body end, when that one ran in
 *     another JVM (same dataset), median
 * @param overlappingWrites write bodies that overlapped another body on the same dataset
 * @param writesChecked write bodies the exclusion check saw
 * @param jvmBalance calls of the JVM that made fewest over those of the one that made most
 * @param errors calls that threw
 */
record CellResult(
    double opsPerSecond,
    double meanCallNanos,
    double acquireP50,
    double acquireP99,
    double zkWritesPerCall,
    double zkRequestsPerCall,
    double workerCpuPerCall,
    double serverCpuPerCall,
    double jitBusiest,
    double handoffP50,
    double handoffP99,
    long handoffs,
    long overlappingWrites,
    long writesChecked,
    double jvmBalance,
    long errors,
    String failure) {

  /** The failure of every cell of a variant that could not start. */
  static final String UNAVAILABLE = "unavailable";

  static CellResult failed(String failure) {
    double n = Double.NaN;
    return new CellResult(n, n, n, n, n, n, n, n, n, n, n, 0, 0, 0, n, 0, failure);
  }

  boolean ok() {
    return failure == null;
  }
}
