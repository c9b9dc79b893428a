package io.deeplakelock.testapp.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Unit tests for {@link HistoryChecker}: each kind of damage on a hand-written history. */
class HistoryCheckerTest {
  private static final Trial.Spec AGENT =
      new Trial.Spec("t", FaultKind.SERVER_EXPIRY, true, true, "1-1", 0);

  private final List<Map<String, Object>> records = new ArrayList<>();
  private final List<String> rows = new ArrayList<>(Arrays.asList(Ledger.counterText(0, 0)));
  private final List<FaultRecord> faults = new ArrayList<>();
  private final Map<Long, LockNodeRecorder.Node> nodes = new HashMap<>();

  @Test
  void serialEntriesAreClean() {
    entry("c1-1", 10, 100, 200, "ok", false, 0, true);
    entry("c2-1", 11, 300, 400, "ok", false, 1, true);
    CheckReport report = check();
    assertEquals(2, report.ok);
    assertEquals(0, report.lostRows + report.duplicatedRows + report.phantomRows);
    assertEquals(0, report.lostUpdates + report.staleWritesLanded + report.overlaps);
    assertEquals(2, report.finalCounter);
  }

  @Test
  void twoEntriesThatReadTheSameValueAreOneLostUpdate() {
    entry("c1-1", 10, 100, 300, "ok", true, 0, true);
    entry("c2-1", 11, 200, 400, "ok", false, 0, true);
    CheckReport report = check();
    assertEquals(1, report.lostUpdates);
    assertEquals(1, report.overlaps);
    assertEquals(0, report.unreportedOverlaps, "the older holder reported its lock lost");
    assertEquals(2, report.staleWritesLanded, "c1-1 wrote twice after c2-1 had read");
  }

  @Test
  void anOverlapWhoseOlderHolderSaidNothingIsUnreported() {
    entry("c1-1", 10, 100, 300, "ok", false, 0, true);
    entry("c2-1", 11, 200, 400, "ok", false, 1, true);
    assertEquals(1, check().unreportedOverlaps);
  }

  @Test
  void rowsAreLostDuplicatedOrPhantom() {
    entry("c1-1", 10, 100, 200, "ok", false, 0, false);
    entry("c2-1", 11, 300, 400, "fail", false, 0, false);
    rows.add(Ledger.entryText("c2-1", 1, 11));
    rows.add(Ledger.entryText("c3-9", 1, 12));
    entry("c4-1", 13, 500, 600, "ok", false, 0, true);
    rows.add(Ledger.entryText("c4-1", 1, 13));
    CheckReport report = check();
    assertEquals(1, report.lostRows, "c1-1");
    assertEquals(2, report.phantomRows, "c2-1 failed, c3-9 never ran");
    assertEquals(1, report.duplicatedRows, "c4-1");
  }

  @Test
  void aWitnessLeftByAKilledHolderIsStaleNotACollision() {
    records.add(record("enter", "c1-1", 100_000, "token", 10L, "collision", null));
    faults.add(
        new FaultRecord(1, FaultKind.SIGKILL, "c1", "c1-1", "read", "pid 1", 150_000, 160_000));
    entry("c2-1", 11, 3_000_000, 3_100_000, "ok", false, 0, true);
    records.add(record("enter", "c2-1", 3_000_000, "token", 11L, "collision", "c1 c1-1"));
    CheckReport report = check();
    assertEquals(1, report.staleWitnesses);
    assertEquals(0, report.witnessCollisions);
    assertEquals(1, report.indeterminate);
    assertEquals(0, report.overlaps, "c1-1 ended when it was killed");
    assertEquals(Collections.singletonList(2850L), report.unavailableMillis);
  }

  @Test
  void aLockNodeGoneBeforeTheEntryEndedIsActuallyLost() {
    entry("c1-1", 10, 100, 300, "ok", false, 0, true);
    LockNodeRecorder.Node node = new LockNodeRecorder.Node("/n", 10, 1, 90);
    node.deletedMicros = 250;
    nodes.put(10L, node);
    CheckReport report = check();
    assertEquals(1, report.actuallyLost);
    assertEquals(1, report.lostUnreported);
  }

  /** An entry that entered at {@code enter}, read {@code read} and, if ok, wrote read + 1. */
  private void entry(
      String op,
      long token,
      long enter,
      long exit,
      String outcome,
      boolean lost,
      long read,
      boolean row) {
    records.add(record("enter", op, enter, "token", token, "collision", null));
    boolean ok = outcome.equals("ok");
    records.add(
        record(
            "complete",
            op,
            exit,
            "outcome",
            outcome,
            "lockLost",
            lost,
            "token",
            token,
            "enter",
            enter,
            "exit",
            exit,
            "read",
            read,
            "wrote",
            ok ? read + 1 : null,
            "readAt",
            enter + 1,
            "appendAt",
            ok ? exit - 2 : null,
            "updateAt",
            ok ? exit - 1 : null));
    if (row) {
      rows.add(Ledger.entryText(op, read + 1, token));
      rows.set(0, Ledger.counterText(read + 1, token));
    }
  }

  private static Map<String, Object> record(String type, String op, long t, Object... fields) {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("type", type);
    record.put("op", op);
    record.put("child", op.substring(0, op.indexOf('-')));
    record.put("t", t);
    for (int i = 0; i < fields.length; i += 2) {
      record.put((String) fields[i], fields[i + 1]);
    }
    return record;
  }

  private CheckReport check() {
    return HistoryChecker.check(
        new HistoryChecker.Input(
            AGENT, records, faults, nodes, Collections.emptyList(), rows, 0, 10_000_000));
  }
}
