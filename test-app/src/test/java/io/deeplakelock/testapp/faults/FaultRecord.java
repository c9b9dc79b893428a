package io.deeplakelock.testapp.faults;

import java.util.LinkedHashMap;
import java.util.Map;

/** One injected fault, as the trial's fault log records it; times in epoch microseconds. */
final class FaultRecord {
  final int index;
  final FaultKind kind;

  /** The child holding the lock when the fault hit, its entry and how far that entry had got. */
  final String child;

  final String op;
  final String phase;

  /** What exactly was hit: a pid, a session, a server. */
  final String target;

  final long startMicros;
  final long endMicros;

  FaultRecord(
      int index,
      FaultKind kind,
      String child,
      String op,
      String phase,
      String target,
      long startMicros,
      long endMicros) {
    this.index = index;
    this.kind = kind;
    this.child = child;
    this.op = op;
    this.phase = phase;
    this.target = target;
    this.startMicros = startMicros;
    this.endMicros = endMicros;
  }

  Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("fault", index);
    json.put("kind", kind.name());
    json.put("child", child);
    json.put("op", op);
    json.put("phase", phase);
    json.put("target", target);
    json.put("start", startMicros);
    json.put("end", endMicros);
    return json;
  }
}
