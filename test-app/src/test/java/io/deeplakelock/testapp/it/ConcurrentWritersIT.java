package io.deeplakelock.testapp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.deeplakelock.testapp.dataset.Dataset;
import io.deeplakelock.testapp.dataset.Row;
import io.deeplakelock.testapp.dataset.Salvage;
import io.deeplakelock.testapp.demo.WorkloadJvm;
import io.deeplakelock.testapp.service.Verification;
import io.deeplakelock.testapp.service.WriterReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Four writer JVMs on one dataset lose nothing under the agent and lose rows without it. */
class ConcurrentWritersIT extends ServiceJvmsFixture {
  private static final int WRITERS = 4;
  private static final int OPS = 150;
  private static final int CONTROL_ATTEMPTS = 3;

  @Test
  void writersUnderTheAgentLoseNoRowUpdateOrDelete() throws Exception {
    Path rules = new RulesFile().writeTo(dir, "rules.yaml");
    Path dataset = dir.resolve("with-agent");
    List<WriterReport> reports = runWriters("agent", dataset, rules);

    long appends = 0;
    Map<String, String> expected = new HashMap<>();
    Set<String> deleted = new HashSet<>();
    for (WriterReport report : reports) {
      assertEquals(OPS, report.attempted(), report.id() + " attempted");
      assertEquals(OPS, report.acked(), report.id() + " acknowledged " + report.toJson());
      assertEquals(Collections.emptyMap(), report.errors(), report.id() + " errors");
      assertNotNull(report.lockWaitMs(), report.id() + " ran without the agent's bridge");
      appends += (Long) report.toJson().get("appends");
      expected.putAll(report.expected());
      deleted.addAll(report.deleted());
    }

    Verification verification = Verification.of(dataset.toString(), reports);
    assertTrue(verification.isClean(), "not clean: " + verification.toJson());

    // Exactly the acknowledged history, row by row: one row per append, each live row with the
    // text its writer last gave it, each deleted row one of the acknowledged deletes.
    assertEquals(appends, Salvage.of(dataset.toString()).committedRows(), "rows");
    Dataset read = Dataset.open(dataset.toString());
    assertEquals(expected.size(), read.size(), "live rows");
    Set<String> live = new HashSet<>();
    Set<String> tombstoned = new HashSet<>();
    for (long index = 0; index < appends; index++) {
      Row row = read.get(index);
      if (row.isDeleted()) {
        assertTrue(tombstoned.add(row.text().replace(":u", "")), "deleted twice: " + row);
      } else {
        assertTrue(live.add(row.text()), "present twice: " + row);
      }
    }
    assertEquals(new HashSet<>(expected.values()), live, "live row texts");
    assertEquals(deleted, tombstoned, "deleted rows");
  }

  @Test
  void writersWithoutTheAgentLoseRows() throws Exception {
    // The control that shows the test can fail: the same workload, no agent. The race depends on
    // timing, so a few fresh attempts are allowed; one that loses acknowledged rows suffices.
    List<String> attempts = new ArrayList<>();
    for (int attempt = 1; attempt <= CONTROL_ATTEMPTS; attempt++) {
      Path dataset = dir.resolve("without-agent-" + attempt);
      List<WriterReport> reports = runWriters("control-" + attempt, dataset, null);
      for (WriterReport report : reports) {
        assertNull(report.lockWaitMs(), report.id() + " ran under an agent");
      }
      Verification verification = Verification.of(dataset.toString(), reports);
      if (verification.lost() > 0) {
        return;
      }
      attempts.add(verification.toJson().toString());
    }
    fail(
        "without the agent no acknowledged row was lost in "
            + CONTROL_ATTEMPTS
            + " runs: "
            + attempts);
  }

  /** Creates a dataset, runs the writers on it together and returns their reports. */
  private List<WriterReport> runWriters(String label, Path dataset, Path rules) throws Exception {
    Dataset.create(dataset.toString(), 8);
    Path go = dir.resolve(label + ".go");
    List<WorkloadJvm> writers = new ArrayList<>();
    for (int i = 1; i <= WRITERS; i++) {
      writers.add(
          jvms.start(
              label + "-w" + i,
              rules,
              "writer",
              "--dataset",
              dataset.toString(),
              "--id",
              "w" + i,
              "--ops",
              Integer.toString(OPS),
              "--go",
              go.toString()));
    }
    for (WorkloadJvm writer : writers) {
      ServiceJvms.awaitReady(writer);
    }
    ServiceJvms.signal(go);
    List<WriterReport> reports = new ArrayList<>();
    for (WorkloadJvm writer : writers) {
      reports.add(WriterReport.fromJson(ServiceJvms.awaitSuccess(writer)));
    }
    return reports;
  }
}
