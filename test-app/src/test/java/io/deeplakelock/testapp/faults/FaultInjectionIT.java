package io.deeplakelock.testapp.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The fault-injection suite: a three-server ensemble, four child JVMs under the agent recording
 * ledger entries (a read-modify-write) in one dataset, and one kind of fault per test, injected
 * while a child holds the lock; then a control run without the agent. The checker's table goes to
 * stdout and to {@code target/fault-injection/seed-SEED/report.md}, next to every trial's
 * histories, fault log, lock-node log and child logs. RELIABILITY.md explains the figures.
 *
 * <pre>
 * mvn -B -pl test-app verify -Dit.test=FaultInjectionIT                     # CI: 3 faults per kind
 * mvn -B -pl test-app verify -Dit.test=FaultInjectionIT -Dfaults.soak=true  # soak: 10 per kind
 *   -Dfaults.seed=N          replay the random choices of a run (its seed is printed)
 *   -Dfaults.perTrial=N      faults per kind
 * </pre>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultInjectionIT {
  private static final String PAUSES = "40-120";

  /** Long enough that the client gives up on its session while the entry is still running. */
  private static final String LONG_PAUSES = "2500-3000";

  private static final List<CheckReport> reports = Collections.synchronizedList(new ArrayList<>());
  private static SuiteSettings settings;
  private static ZkCluster cluster;
  private static Path runDir;

  @BeforeAll
  static void startEnsemble() throws Exception {
    settings = SuiteSettings.fromSystemProperties();
    runDir = Paths.get("target", "fault-injection", "seed-" + settings.seed).toAbsolutePath();
    deleteTree(runDir); // a re-run with the same seed starts afresh
    Files.createDirectories(runDir);
    settings = settings.withAgentCopiedTo(runDir);
    System.out.println("fault-injection suite: " + settings + ", run directory " + runDir);
    cluster = ZkCluster.start(runDir.resolve("zookeeper"), SuiteSettings.TICK_MILLIS);
  }

  @AfterAll
  static void writeReport() throws IOException {
    try {
      StringBuilder table = new StringBuilder();
      table.append("fault-injection suite: ").append(settings).append("\n\n");
      table.append(CheckReport.header()).append('\n');
      for (CheckReport report : reports) {
        table.append(report.row()).append('\n');
      }
      table.append('\n');
      for (CheckReport report : reports) {
        table.append(report.spec.name).append(": ").append(report.details()).append("\n");
      }
      System.out.println(table);
      Files.write(runDir.resolve("report.md"), table.toString().getBytes(StandardCharsets.UTF_8));
    } finally {
      if (cluster != null) {
        cluster.close();
      }
    }
  }

  @Test
  @Order(1)
  void withoutFaultsNothingOverlaps() throws Exception {
    CheckReport report = run("baseline", FaultKind.NONE, PAUSES);
    assertIntact(report);
    assertNoOverlap(report);
  }

  @Test
  @Order(2)
  void leaderKillLosesNothing() throws Exception {
    CheckReport report = run("leader-kill", FaultKind.LEADER_KILL, PAUSES);
    assertIntact(report);
    assertNoOverlap(report);
  }

  @Test
  @Order(3)
  void killedHolderLosesNothing() throws Exception {
    CheckReport report = run("sigkill", FaultKind.SIGKILL, PAUSES);
    assertIntact(report);
    assertNoOverlap(report);
  }

  @Test
  @Order(4)
  void holderStoppedForHalfTheSessionTimeoutKeepsItsLock() throws Exception {
    CheckReport report = run("sigstop-short", FaultKind.SIGSTOP_SHORT, PAUSES);
    assertIntact(report);
    assertNoOverlap(report);
  }

  @Test
  @Order(5)
  void clientSideExpiryLosesNothing() throws Exception {
    CheckReport report = run("client-expiry", FaultKind.CLIENT_EXPIRY, LONG_PAUSES);
    assertIntact(report);
  }

  @Test
  @Order(6)
  void serverSideExpiryIsReportedAndFenced() throws Exception {
    CheckReport report = run("server-expiry", FaultKind.SERVER_EXPIRY, PAUSES);
    assertIntact(report);
  }

  @Test
  @Order(7)
  void holderStoppedForTwiceTheSessionTimeoutIsReportedAndFenced() throws Exception {
    CheckReport report = run("sigstop-long", FaultKind.SIGSTOP_LONG, PAUSES);
    assertIntact(report);
  }

  /** The comparison that shows what fencing does: the same fault with the storage check off. */
  @Test
  @Order(8)
  void withoutFencingAStaleWriterLands() throws Exception {
    CheckReport report =
        run(
            new Trial.Spec(
                "server-expiry-unfenced", FaultKind.SERVER_EXPIRY, true, false, PAUSES, ops()));
    String details = "\n" + report.details();
    assertTrue(report.lostUpdates + report.staleWritesLanded > 0, "nothing stale landed" + details);
    assertEquals(0, report.unreportedOverlaps, "overlaps not reported as lost locks" + details);
  }

  @Test
  @Order(9)
  void withoutTheAgentUpdatesAreLost() throws Exception {
    CheckReport report = run(new Trial.Spec("control", FaultKind.NONE, false, true, PAUSES, ops()));
    assertTrue(report.lostUpdates > 0, "the control run lost no update:\n" + report.details());
    assertTrue(report.overlapsSeen() > 0, "the control run had no overlap:\n" + report.details());
  }

  /**
   * A holder cut off from every server for five session timeouts while its entry still runs: its
   * release cannot reach ZooKeeper, yet the loss must be reported (and the stale write fenced).
   */
  @Test
  @Order(10)
  void partitionedHolderIsReportedAndFenced() throws Exception {
    CheckReport report = run("partition", FaultKind.PARTITION, "1800-2200");
    assertIntact(report);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
  }

  private static CheckReport run(String name, FaultKind kind, String pauses) throws Exception {
    return run(new Trial.Spec(name, kind, true, true, pauses, ops()));
  }

  /** How many entries a trial without faults runs. */
  private static int ops() {
    return settings.soak ? 200 : 40;
  }

  private static CheckReport run(Trial.Spec spec) throws Exception {
    String name = spec.name;
    Trial trial = new Trial(spec, settings, cluster, runDir);
    System.out.println("trial " + name + ": seed " + trial.seed + ", directory " + trial.dir);
    CheckReport report = trial.run();
    reports.add(report);
    System.out.println(report.details());
    return report;
  }

  /**
   * What must hold under the agent whatever the fault: no row lost, duplicated or invented, no
   * update lost, no stale write landed, every overlap and every lost lock reported, nothing left in
   * ZooKeeper.
   */
  private static void assertIntact(CheckReport report) {
    String details = "\n" + report.details();
    assertEquals(0, report.lostRows, "lost rows" + details);
    assertEquals(0, report.duplicatedRows, "duplicated rows" + details);
    assertEquals(0, report.phantomRows, "phantom rows" + details);
    assertEquals(0, report.unreadableRows, "unreadable rows" + details);
    assertEquals(0, report.lostUpdates, "lost updates" + details);
    assertEquals(0, report.staleWritesLanded, "stale writes landed" + details);
    assertEquals(0, report.unreportedOverlaps, "overlaps not reported as lost locks" + details);
    assertEquals(0, report.lostUnreported, "locks lost but not reported" + details);
    assertEquals(0, report.orphans, "orphan lock znodes" + details);
    assertTrue(report.ok > 0, "no entry succeeded" + details);
  }

  /** For faults shorter than the session timeout: the lock was never held twice. */
  private static void assertNoOverlap(CheckReport report) {
    String details = "\n" + report.details();
    assertEquals(0, report.overlaps, "overlapping critical sections" + details);
    assertEquals(0, report.witnessCollisions, "witness collisions" + details);
  }
}
