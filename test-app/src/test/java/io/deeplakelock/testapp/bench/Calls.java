package io.deeplakelock.testapp.bench;

/**
 * How a worker thread calls the workload: directly (no lock, or the agent's woven into the methods)
 * or wrapped in hand-written Curator locking. One implementation per JVM, so the call site stays
 * monomorphic.
 */
interface Calls extends AutoCloseable {

  /**
   * One guarded (or unguarded) call of {@code read} or {@code write} on dataset number {@code d}.
   */
  long call(LockBenchApp app, int d, boolean write) throws Exception;

  @Override
  default void close() {}
}
