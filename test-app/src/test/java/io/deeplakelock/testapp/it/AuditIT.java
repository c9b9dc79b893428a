package io.deeplakelock.testapp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.deeplakelock.testapp.dataset.Dataset;
import io.deeplakelock.testapp.demo.WorkloadJvm;
import io.deeplakelock.testapp.service.Verification;
import io.deeplakelock.testapp.service.WriterReport;
import io.deeplakelock.testsupport.AgentJar;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The file audit and discovery, in child JVMs under the built agent, against the test-app's second,
 * unguarded path to its files: {@code Maintenance.compact}, which the rules of {@code
 * config/deeplake-lock.yaml} (and {@link RulesFile}) do not name.
 */
class AuditIT extends ServiceJvmsFixture {

  private static final int WRITERS = 4;

  @Test
  void warnNamesTheUnguardedCompactionAndStaysSilentForGuardedCalls() throws Exception {
    Path rules = withAudit(new RulesFile().writeTo(dir, "warn.yaml"), "audit:\n  mode: warn\n");
    List<WorkloadJvm> writers = startWorkload("warn", "ds", rules, 2, 40, 10, false);
    for (WorkloadJvm writer : writers) {
      WriterReport report = WriterReport.fromJson(ServiceJvms.awaitSuccess(writer));
      assertEquals(40, report.attempted());
    }
    List<String> compacting = auditLines(writers.get(0));
    assertFalse(compacting.isEmpty(), "no audit report" + ServiceJvms.describe(writers.get(0)));
    for (String line : compacting) {
      assertTrue(line.contains(" ERROR "), line);
      assertTrue(
          line.contains("no rule guards io.deeplakelock.testapp.dataset.Maintenance.compact"),
          line);
      assertTrue(line.contains("in dataset " + dir.resolve("ds")), line);
      assertTrue(line.contains("lock path " + LockServer.lockPath(dir.resolve("ds"))), line);
      assertTrue(line.contains("by thread 'main'"), line);
    }
    assertTrue(
        compacting.stream().anyMatch(l -> l.contains("unguarded rename of ")),
        String.join("\n", compacting));
    // One line per call site: the read of the meta, the temp file's write, its rename.
    assertTrue(compacting.size() <= 4, String.join("\n", compacting));
    assertEquals(
        Collections.emptyList(),
        auditLines(writers.get(1)),
        "the writer without compaction made only guarded calls");
  }

  @Test
  void failRefusesTheCompactionAndLeavesTheDatasetByteForByteUnchanged() throws Exception {
    Path rules =
        withAudit(
            readLocksOff(new RulesFile().writeTo(dir, "fail.yaml")),
            "audit:\n  mode: fail\n  roots: [\"" + dir + "\"]\n");

    // Guarded calls pass under fail: a writer acknowledges everything.
    List<WorkloadJvm> writers = startWorkload("guarded", "ds", rules, 1, 30, 0, false);
    WriterReport report = WriterReport.fromJson(ServiceJvms.awaitSuccess(writers.get(0)));
    assertEquals(30, report.acked(), report.toJson().toString());
    assertEquals(Collections.emptyList(), auditLines(writers.get(0)));

    // Leave something for compaction to do: bytes after a chunk's end line.
    Path chunk = dir.resolve("ds").resolve("text").resolve("chunk-00000");
    Files.write(chunk, "tail\n".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
    Map<String, byte[]> before = snapshot(dir.resolve("ds"));

    WorkloadJvm refused = jvms.start("compact-fail", rules, "compact", "--dataset", "ds");
    assertEquals(1, refused.awaitExit(120, TimeUnit.SECONDS), ServiceJvms.describe(refused));
    String log = String.join("\n", refused.logTail(200));
    assertTrue(
        log.contains("io.deeplakelock.bridge.UnguardedWriteException: refused unguarded"), log);
    assertTrue(
        log.contains("no rule guards io.deeplakelock.testapp.dataset.Maintenance.compact"), log);
    assertTrue(log.contains("Nothing was changed."), log);
    assertSnapshotEquals(before, snapshot(dir.resolve("ds")));

    // The control: without the audit the same command does change the files.
    WorkloadJvm control = jvms.start("compact-control", null, "compact", "--dataset", "ds");
    ServiceJvms.awaitSuccess(control);
    assertFalse(
        Arrays.equals(
            before.get("text/chunk-00000"), snapshot(dir.resolve("ds")).get("text/chunk-00000")),
        "compaction without the agent rewrote nothing, so the test above proves nothing");
  }

  @Test
  void withoutTheAuditTheUnguardedCompactionLosesRowsWhileGuardedCallsGoOn() throws Exception {
    // The control for what the audit catches: the rules guard every Dataset method, and the one
    // unguarded path loses acknowledged rows anyway. The race is timing-dependent: 3 attempts.
    Path rules = new RulesFile().writeTo(dir, "rules.yaml");
    List<String> attempts = new ArrayList<>();
    for (int attempt = 1; attempt <= 3; attempt++) {
      String dataset = "control-" + attempt;
      List<WorkloadJvm> children =
          startWorkload("control-" + attempt, dataset, rules, WRITERS, 80, 4, false);
      List<WriterReport> reports = new ArrayList<>();
      for (WorkloadJvm child : children) {
        WriterReport report = WriterReport.fromJson(ServiceJvms.awaitSuccess(child));
        assertTrue(report.lockWaitMs() != null, "ran without the agent");
        reports.add(report);
      }
      Verification verification = Verification.of(dir.resolve(dataset).toString(), reports);
      if (verification.lost() > 0) {
        return;
      }
      attempts.add(verification.toJson().toString());
    }
    fail("the unguarded compaction lost no acknowledged row in 3 runs: " + attempts);
  }

  @Test
  void discoverDraftsTheRulesAndTheDemoLosesNothingUnderThem() throws Exception {
    Path rules =
        Files.write(
            dir.resolve("discover.yaml"),
            ("zookeeper:\n  connect: \"${DEEPLAKE_LOCK_ZK}\"\n  sessionTimeout: 10s\n"
                    + "locks:\n  root: "
                    + LockServer.ROOT
                    + "\nmode: discover\naudit:\n  roots: [\""
                    + dir
                    + "\"]\n  draft: draft.yaml\n")
                .getBytes(StandardCharsets.UTF_8));
    // The demo's workload, twice: what runs once per JVM (Dataset.open) is explained by the second
    // run, which instruments the methods the first one found from the start.
    for (int round = 1; round <= 2; round++) {
      List<WorkloadJvm> children =
          startWorkload("discover-" + round, "discover-" + round, rules, WRITERS, 60, 10, true);
      for (WorkloadJvm child : children) {
        ServiceJvms.awaitSuccess(child);
        assertTrue(
            child.logTail(50).stream().anyMatch(l -> l.startsWith("deeplake-lock: discover wrote")),
            ServiceJvms.describe(child));
      }
    }
    Path draft = dir.resolve("draft.yaml");
    String text = new String(Files.readAllBytes(draft), StandardCharsets.UTF_8);
    String rulesPart = text.substring(text.indexOf("\nrules:"));
    assertTrue(
        rulesPart.contains(
            "class: io.deeplakelock.testapp.dataset.Dataset\n    methods: [append, delete, update]\n"
                + "    lock: write\n    dataset: this.path"),
        text);
    assertTrue(
        rulesPart.contains(
            "class: io.deeplakelock.testapp.dataset.Maintenance\n    methods: [compact]\n"
                + "    lock: write\n    dataset: arg0"),
        text);
    assertTrue(
        rulesPart.contains(
            "class: io.deeplakelock.testapp.dataset.Dataset\n    methods: [search, size]\n"
                + "    lock: read\n    dataset: this.path"),
        text);
    assertTrue(
        rulesPart.contains(
            "class: io.deeplakelock.testapp.dataset.Dataset\n    methods: [open]\n"
                + "    lock: read\n    dataset: arg0"),
        text);
    assertFalse(rulesPart.contains("TODO"), text);

    // check --classpath accepts it.
    WorkloadJvm check =
        WorkloadJvm.start(
            "check",
            Arrays.asList(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                AgentJar.path().toString(),
                "check",
                "--config",
                draft.toString(),
                "--classpath",
                classpath()),
            Collections.singletonMap("DEEPLAKE_LOCK_ZK", server.connectString()),
            dir,
            dir.resolve("logs").resolve("check.log"));
    assertEquals(0, check.awaitExit(120, TimeUnit.SECONDS), ServiceJvms.describe(check));

    // The demo's workload under the draft: nothing lost, nothing unguarded left.
    List<WorkloadJvm> children = startWorkload("drafted", "drafted", draft, WRITERS, 80, 4, true);
    List<WriterReport> reports = new ArrayList<>();
    for (int i = 0; i < children.size(); i++) {
      Map<String, Object> summary = ServiceJvms.awaitSuccess(children.get(i));
      if (i < WRITERS) {
        WriterReport report = WriterReport.fromJson(summary);
        assertEquals(80, report.acked(), report.toJson().toString());
        reports.add(report);
      } else {
        assertEquals(0L, ((Number) summary.get("failed")).longValue(), summary.toString());
      }
      assertEquals(Collections.emptyList(), auditLines(children.get(i)));
    }
    Verification verification = Verification.of(dir.resolve("drafted").toString(), reports);
    assertTrue(verification.isClean(), verification.toJson().toString());
  }

  /**
   * Starts the demo's workload on a fresh dataset: {@code writers} writer JVMs (the first compacts
   * every {@code compactEvery} operations, 0 for never) and, with {@code searcher}, a searcher JVM;
   * signals go and returns them, writers first.
   */
  private List<WorkloadJvm> startWorkload(
      String label,
      String dataset,
      Path rules,
      int writers,
      int ops,
      int compactEvery,
      boolean searcher)
      throws Exception {
    Dataset.create(dir.resolve(dataset).toString(), 8);
    Path go = dir.resolve(label + ".go");
    List<WorkloadJvm> children = new ArrayList<>();
    for (int i = 1; i <= writers; i++) {
      List<String> workload =
          new ArrayList<>(
              Arrays.asList(
                  "writer",
                  "--dataset",
                  dataset,
                  "--id",
                  "w" + i,
                  "--ops",
                  Integer.toString(ops),
                  "--go",
                  go.toString()));
      if (i == 1 && compactEvery > 0) {
        workload.addAll(Arrays.asList("--compact-every", Integer.toString(compactEvery)));
      }
      children.add(jvms.start(label + "-w" + i, rules, workload.toArray(new String[0])));
    }
    if (searcher) {
      children.add(
          jvms.start(
              label + "-s1",
              rules,
              "searcher",
              "--dataset",
              dataset,
              "--id",
              "s1",
              "--searches",
              "60",
              "--go",
              go.toString()));
    }
    for (WorkloadJvm child : children) {
      ServiceJvms.awaitReady(child);
    }
    ServiceJvms.signal(go);
    return children;
  }

  private static List<String> auditLines(WorkloadJvm child) {
    return child.logTail(10_000).stream()
        .filter(l -> l.contains("io.deeplakelock.audit.AuditCheck"))
        .collect(Collectors.toList());
  }

  private static Path withAudit(Path rules, String section) throws IOException {
    return Files.write(rules, section.getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
  }

  /** Reads run unlocked, so the audit checks only changes: what refuses compaction is a write. */
  private static Path readLocksOff(Path rules) throws IOException {
    String text = new String(Files.readAllBytes(rules), StandardCharsets.UTF_8);
    return Files.write(
        rules,
        text.replaceFirst("\nlocks:\n", "\nlocks:\n  readLocks: false\n")
            .getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, byte[]> snapshot(Path root) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (Files.isRegularFile(p)) {
          files.put(
              root.relativize(p).toString().replace(File.separatorChar, '/'),
              Files.readAllBytes(p));
        }
      }
    }
    return files;
  }

  private static void assertSnapshotEquals(Map<String, byte[]> before, Map<String, byte[]> after) {
    assertEquals(before.keySet(), after.keySet(), "files added or removed");
    for (String file : before.keySet()) {
      assertTrue(Arrays.equals(before.get(file), after.get(file)), file + " changed");
    }
    assertNotEquals(0, before.size());
  }

  private static String classpath() throws IOException {
    Path jar = Paths.get("target", "test-app.jar").toAbsolutePath();
    String dependencies =
        new String(
                Files.readAllBytes(Paths.get("target", "classpath.txt").toAbsolutePath()),
                StandardCharsets.UTF_8)
            .trim();
    return dependencies.isEmpty() ? jar.toString() : jar + File.pathSeparator + dependencies;
  }
}
