package io.deeplakelock.testapp.bench;

/**
 * When one call's method body ran: its JVM (index within the cell), dataset (index), whether it was
 * a write, when the call was made and the body's first and last instants, all in {@link
 * System#nanoTime()}, which every process on one Linux host reads from the same clock
 * (CLOCK_MONOTONIC).
 */
record BodyInterval(int jvm, int dataset, boolean write, long called, long start, long end) {}
