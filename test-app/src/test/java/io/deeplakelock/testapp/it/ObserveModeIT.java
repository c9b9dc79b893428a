package io.deeplakelock.testapp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.testapp.dataset.Dataset;
import io.deeplakelock.testapp.demo.WorkloadJvm;
import io.deeplakelock.testapp.service.Verification;
import io.deeplakelock.testapp.service.WriterReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The README's roll-out recipe with every instance in observe mode: two writer JVMs on one dataset,
 * both observing, must each see the other's calls as ones they would have waited for. Measured
 * beside the control (the same writers without any agent), which shows what the overlap costs.
 */
class ObserveModeIT extends ServiceJvmsFixture {
  private static final int WRITERS = 2;
  private static final int OPS = 200;

  @Test
  void twoObserversSeeEachOthersCallsAsWaits() throws Exception {
    Path observeRules = new RulesFile().mode("observe").writeTo(dir, "observe.yaml");
    List<WriterReport> control = runWriters("control", null);
    List<WriterReport> observed = runWriters("observe", observeRules);

    Verification controlResult = Verification.of(dir.resolve("control").toString(), control);
    Verification observeResult = Verification.of(dir.resolve("observe").toString(), observed);
    long wouldWait = 0;
    StringBuilder figures = new StringBuilder();
    for (WriterReport report : observed) {
      @SuppressWarnings("unchecked")
      Map<String, Object> counts = (Map<String, Object>) report.toJson().get("observe");
      assertNotNull(counts, report.id() + " reported no observe counters: " + report.toJson());
      long calls = ((Number) counts.get("observed")).longValue();
      long waits = ((Number) counts.get("wouldWait")).longValue();
      // Its writes, and the Dataset.open (a read rule) it starts with.
      assertEquals(OPS + 1, calls, report.id() + " observed calls");
      assertTrue(waits > 0, report.id() + " saw no other observer: " + counts);
      wouldWait += waits;
      figures.append(report.id()).append(' ').append(counts).append("; ");
    }
    // Printed for the README: what observe mode reports against what the overlap did.
    System.out.println(
        "observe mode, "
            + WRITERS
            + " writers x "
            + OPS
            + " ops: "
            + figures
            + "would have waited "
            + wouldWait
            + "; rows lost "
            + observeResult.lost()
            + " (control without agent: "
            + controlResult.lost()
            + ")");
  }

  private List<WriterReport> runWriters(String label, Path rules) throws Exception {
    Path dataset = dir.resolve(label);
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
