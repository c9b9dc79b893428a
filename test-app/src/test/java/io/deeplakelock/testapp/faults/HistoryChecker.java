package io.deeplakelock.testapp.faults;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a trial's histories, fault log, lock-node lives and final dataset, and counts what went
 * wrong.
 *
 * <ul>
 *   <li><b>Operations</b>: ok (its effects happened), failed (nothing of it was written) and
 *       indeterminate (failed part-way, or its process was killed before it said).
 *   <li><b>Rows</b>: lost (an ok entry whose row is missing), duplicated (an entry's row present
 *       more than once), phantom (a row of an entry that failed, or of no entry at all).
 *   <li><b>Lost updates</b>: ok entries that read the same counter value as another ok entry: the
 *       read-modify-write of one of them overwrote the other's.
 *   <li><b>Stale writes landed</b>: writes (an append or the counter update) that an entry began
 *       after an entry with a newer fencing token had already read the dataset, and that landed:
 *       what fencing must refuse, since the newer holder's read-modify-write cannot have seen them.
 *   <li><b>Overlaps</b>: witness collisions (an entry found another's witness file; those left by a
 *       holder killed earlier are counted apart as stale) and pairs of critical-section intervals
 *       that intersect. With the agent, each overlap must have its older holder (lower token)
 *       reported as a lost lock.
 *   <li><b>Locks</b>: reported lost (the caller saw LockLostException) against actually lost (the
 *       lock node was gone before the critical section ended).
 *   <li><b>Unavailability</b>: per fault, from its start to the next critical section entered by
 *       another entry.
 *   <li><b>Orphans</b>: lock nodes left once every process has exited and sessions have expired.
 * </ul>
 */
final class HistoryChecker {
  private static final Pattern ENTRY_ROW =
      Pattern.compile("entry=(\\S+) counter=(\\d+) token=(\\d+)");
  private static final Pattern COUNTER_ROW = Pattern.compile("counter=(\\d+) token=(\\d+)");

  /** Everything a trial leaves for the checker. */
  static final class Input {
    final Trial.Spec spec;
    final List<Map<String, Object>> records;
    final List<FaultRecord> faults;
    final Map<Long, LockNodeRecorder.Node> nodesByToken;
    final List<String> orphans;
    final List<String> liveTexts;
    final long unreadableRows;
    final long endMicros;

    Input(
        Trial.Spec spec,
        List<Map<String, Object>> records,
        List<FaultRecord> faults,
        Map<Long, LockNodeRecorder.Node> nodesByToken,
        List<String> orphans,
        List<String> liveTexts,
        long unreadableRows,
        long endMicros) {
      this.spec = spec;
      this.records = records;
      this.faults = faults;
      this.nodesByToken = nodesByToken;
      this.orphans = orphans;
      this.liveTexts = liveTexts;
      this.unreadableRows = unreadableRows;
      this.endMicros = endMicros;
    }
  }

  /** One entry, assembled from its history records. */
  static final class Op {
    final String id;
    String child;
    Long enter;
    Long exit;
    long token;
    String collision;
    String outcome;
    boolean lockLost;
    Long read;
    Long wrote;
    Long readAt;
    Long appendAt;
    Long updateAt;
    String error;

    Op(String id) {
      this.id = id;
    }
  }

  private HistoryChecker() {}

  static CheckReport check(Input in) {
    CheckReport report = new CheckReport(in.spec, in.faults.size());
    Map<String, Op> ops = assemble(in.records);
    Map<String, Long> killedAt = new HashMap<>();
    for (FaultRecord fault : in.faults) {
      if (fault.kind == FaultKind.SIGKILL) {
        killedAt.put(fault.child, fault.startMicros);
      }
    }
    for (Op op : ops.values()) {
      if (op.outcome == null) {
        // No complete record: killed inside, or (never, if the run was clean) cut short.
        report.indeterminate++;
        if (op.enter != null) {
          Long killed = killedAt.get(op.child);
          op.exit = killed != null && killed >= op.enter ? killed : in.endMicros;
        }
      } else if (op.outcome.equals("ok")) {
        report.ok++;
      } else if (op.outcome.equals("fail")) {
        report.failed++;
      } else {
        report.indeterminate++;
      }
      if (op.lockLost) {
        report.reportedLost++;
      }
      if (op.error != null && report.errorExamples.size() < 3) {
        report.errorExamples.add(op.id + ": " + op.error);
      }
    }
    checkRows(in, ops, report);
    checkOverlaps(ops, killedAt, in.spec.agent, report);
    checkLocks(in, ops, report);
    for (FaultRecord fault : in.faults) {
      report.unavailableMillis.add(unavailableMillis(fault, ops));
    }
    report.orphans = in.orphans.size();
    report.orphanExamples.addAll(in.orphans.subList(0, Math.min(3, in.orphans.size())));
    return report;
  }

  private static Map<String, Op> assemble(List<Map<String, Object>> records) {
    Map<String, Op> ops = new LinkedHashMap<>();
    for (Map<String, Object> record : records) {
      String id = (String) record.get("op");
      Op op = ops.computeIfAbsent(id, Op::new);
      op.child = (String) record.get("child");
      switch ((String) record.get("type")) {
        case "enter":
          op.enter = (Long) record.get("t");
          op.token = (Long) record.get("token");
          op.collision = (String) record.get("collision");
          break;
        case "complete":
          op.outcome = (String) record.get("outcome");
          op.lockLost = Boolean.TRUE.equals(record.get("lockLost"));
          op.exit = (Long) record.get("exit");
          op.read = (Long) record.get("read");
          op.wrote = (Long) record.get("wrote");
          op.readAt = (Long) record.get("readAt");
          op.appendAt = (Long) record.get("appendAt");
          op.updateAt = (Long) record.get("updateAt");
          op.error = (String) record.get("error");
          break;
        default:
          break;
      }
    }
    return ops;
  }

  private static void checkRows(Input in, Map<String, Op> ops, CheckReport report) {
    report.unreadableRows = in.unreadableRows;
    Map<String, Integer> rowsPerOp = new HashMap<>();
    for (int i = 0; i < in.liveTexts.size(); i++) {
      String text = in.liveTexts.get(i);
      if (i == 0) {
        Matcher counter = COUNTER_ROW.matcher(text);
        if (counter.matches()) {
          report.finalCounter = Long.parseLong(counter.group(1));
          report.counterToken = Long.parseLong(counter.group(2));
          continue;
        }
      }
      Matcher entry = ENTRY_ROW.matcher(text);
      if (!entry.matches()) {
        report.phantomRows++;
        continue;
      }
      String id = entry.group(1);
      rowsPerOp.merge(id, 1, Integer::sum);
      Op op = ops.get(id);
      if (op == null || "fail".equals(op.outcome)) {
        report.phantomRows++;
      }
    }
    Map<Long, Integer> okReads = new HashMap<>();
    for (Op op : ops.values()) {
      int rows = rowsPerOp.getOrDefault(op.id, 0);
      if ("ok".equals(op.outcome) && rows == 0) {
        report.lostRows++;
        if (report.lostExamples.size() < 3) {
          report.lostExamples.add(op.id);
        }
      }
      report.duplicatedRows += Math.max(0, rows - 1);
      if ("ok".equals(op.outcome) && op.read != null && op.wrote != null) {
        okReads.merge(op.read, 1, Integer::sum);
      }
    }
    for (int sameRead : okReads.values()) {
      report.lostUpdates += sameRead - 1;
    }
    for (Op stale : ops.values()) {
      for (Long write : new Long[] {stale.appendAt, stale.updateAt}) {
        if (stale.token > 0 && write != null && readByNewerHolderBefore(ops, stale.token, write)) {
          report.staleWritesLanded++;
          if (report.staleExamples.size() < 3) {
            report.staleExamples.add(stale.id + " (token " + stale.token + ")");
          }
        }
      }
    }
  }

  private static boolean readByNewerHolderBefore(Map<String, Op> ops, long token, long micros) {
    for (Op newer : ops.values()) {
      if (newer.token > token && newer.readAt != null && newer.readAt < micros) {
        return true;
      }
    }
    return false;
  }

  private static void checkOverlaps(
      Map<String, Op> ops, Map<String, Long> killedAt, boolean agent, CheckReport report) {
    for (Op op : ops.values()) {
      if (op.collision == null) {
        continue;
      }
      String[] owner = op.collision.split(" ");
      Long killed = killedAt.get(owner[0]);
      if (killed != null && op.enter != null && killed < op.enter) {
        report.staleWitnesses++;
      } else {
        report.witnessCollisions++;
      }
    }
    List<Op> entered = new ArrayList<>();
    for (Op op : ops.values()) {
      if (op.enter != null && op.exit != null) {
        entered.add(op);
      }
    }
    entered.sort(Comparator.comparingLong((Op op) -> op.enter));
    for (int i = 0; i < entered.size(); i++) {
      Op first = entered.get(i);
      for (int j = i + 1; j < entered.size() && entered.get(j).enter < first.exit; j++) {
        Op second = entered.get(j);
        report.overlaps++;
        Op older = second.token > 0 && second.token < first.token ? second : first;
        if (agent && !older.lockLost) {
          report.unreportedOverlaps++;
          if (report.overlapExamples.size() < 3) {
            report.overlapExamples.add(older.id + " (token " + older.token + ") / " + second.id);
          }
        }
      }
    }
  }

  private static void checkLocks(Input in, Map<String, Op> ops, CheckReport report) {
    Set<Long> seen = new HashSet<>();
    for (Op op : ops.values()) {
      if (op.token <= 0 || op.outcome == null || op.exit == null || !seen.add(op.token)) {
        continue;
      }
      LockNodeRecorder.Node node = in.nodesByToken.get(op.token);
      if (node == null) {
        report.unknownLockNodes++;
      } else if (node.deletedMicros > 0 && node.deletedMicros < op.exit) {
        report.actuallyLost++;
        if (!op.lockLost) {
          report.lostUnreported++;
        }
      }
    }
  }

  private static long unavailableMillis(FaultRecord fault, Map<String, Op> ops) {
    long next = Long.MAX_VALUE;
    for (Op op : ops.values()) {
      if (op.enter != null && op.enter > fault.startMicros && !op.id.equals(fault.op)) {
        next = Math.min(next, op.enter);
      }
    }
    return next == Long.MAX_VALUE ? -1 : (next - fault.startMicros) / 1000;
  }
}
