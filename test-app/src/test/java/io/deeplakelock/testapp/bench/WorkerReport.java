package io.deeplakelock.testapp.bench;

import java.util.HashMap;
import java.util.Map;

/**
 * A worker's {@code DONE} line: its measured calls and their summed call latency, failed calls,
 * bodies recorded, the instant before which its record of bodies is complete, its acquire
 * latencies, and the JIT's compile time in the measured window (milliseconds; -1: not counted).
 */
record WorkerReport(
    long ops,
    long errors,
    long callNanos,
    long recorded,
    long completeBefore,
    Histogram acquire,
    long jitMillis) {

  static WorkerReport parse(String line) {
    Map<String, String> fields = new HashMap<>();
    for (String word : line.split(" ")) {
      int eq = word.indexOf('=');
      if (eq > 0) {
        fields.put(word.substring(0, eq), word.substring(eq + 1));
      }
    }
    try {
      return new WorkerReport(
          Long.parseLong(fields.get("ops")),
          Long.parseLong(fields.get("errors")),
          Long.parseLong(fields.get("callNanos")),
          Long.parseLong(fields.get("recorded")),
          Long.parseLong(fields.get("complete")),
          Histogram.decode(fields.get("acquire")),
          Long.parseLong(fields.get("jit")));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("malformed DONE line: " + line, e);
    }
  }
}
