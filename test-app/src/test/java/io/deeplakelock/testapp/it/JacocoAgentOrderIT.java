package io.deeplakelock.testapp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.testapp.dataset.Dataset;
import io.deeplakelock.testapp.demo.WorkloadJvm;
import io.deeplakelock.testapp.service.DatasetService;
import io.deeplakelock.testsupport.AgentJar;
import io.deeplakelock.testsupport.ChildJvm;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real JaCoCo agent beside deeplake-lock, listed before or after it: either way JaCoCo's report
 * covers the guarded class, and its execution data matches the class files on disk.
 * (deeplake-lock's transformer is retransformation-capable, so the JVM runs it after JaCoCo's
 * whatever the order of the flags.)
 */
class JacocoAgentOrderIT extends ServiceJvmsFixture {

  @ParameterizedTest(name = "deeplake-lock listed {0}")
  @ValueSource(strings = {"first", "last"})
  void coverageOfTheGuardedClassIsRecordedWhateverTheAgentOrder(String position) throws Exception {
    Path rules = new RulesFile().writeTo(dir, "rules.yaml");
    Path exec = dir.resolve("jacoco.exec");
    String jacoco =
        "-javaagent:"
            + jarOf("org.jacoco.agent.rt.RT", "org.jacoco.agent")
            + "=destfile="
            + exec
            + ",includes=io.deeplakelock.testapp.*";
    String ours = "-javaagent:" + AgentJar.path() + "=" + rules;
    List<String> agents = position.equals("first") ? List.of(ours, jacoco) : List.of(jacoco, ours);
    Path dataset = dir.resolve("ds");

    WorkloadJvm service =
        jvms.startOn(
            ChildJvm.JAVA,
            "create",
            agents,
            Map.of(),
            DatasetService.class.getName(),
            "create",
            "--dataset",
            dataset.toString());
    assertEquals(0, service.awaitExit(60, TimeUnit.SECONDS), ServiceJvms.describe(service));
    assertTrue(
        String.join("\n", service.logTail(30)).contains("deeplake-lock"),
        "the agent ran" + ServiceJvms.describe(service));
    assertTrue(server.exists(LockServer.lockPath(dataset)), "create was guarded");
    assertTrue(Files.size(exec) > 0, "JaCoCo wrote no execution data");

    // JaCoCo's own report tool, on the class files as built.
    Path csv = dir.resolve("report.csv");
    Path classes = Paths.get("target", "classes").toAbsolutePath();
    ChildJvm.Finished report =
        ChildJvm.named("report")
            .keepClassDataSharing()
            .launch(
                List.of("-jar", jarOf("org.jacoco.cli.internal.Main", "org.jacoco.cli").toString()),
                "report",
                exec.toString(),
                "--classfiles",
                classes.toString(),
                "--csv",
                csv.toString())
            .stderrIntoStdout()
            .stdoutTo(dir.resolve("report.log"))
            .run(Duration.ofSeconds(60));
    String log = report.stdout;
    assertEquals(0, report.exit, log);
    assertFalse(log.contains("does not match"), "JaCoCo saw woven classes: " + log);

    String[] row = null;
    for (String line : Files.readAllLines(csv, StandardCharsets.UTF_8)) {
      String[] cells = line.split(",");
      if (cells.length > 4
          && cells[1].equals(Dataset.class.getPackageName())
          && cells[2].equals(Dataset.class.getSimpleName())) {
        row = cells;
      }
    }
    assertNotNull(row, "no row for Dataset in " + csv);
    int missed = Integer.parseInt(row[3]);
    int covered = Integer.parseInt(row[4]);
    assertTrue(
        covered > 0,
        "Dataset: " + covered + " of " + (missed + covered) + " instructions covered; " + log);
  }

  /** The jar on the test class path that holds {@code className}. */
  private static Path jarOf(String className, String artifact) throws Exception {
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (entry.contains(artifact) && entry.endsWith(".jar")) {
        return Paths.get(entry);
      }
    }
    throw new AssertionError(artifact + " (" + className + ") is not on the test class path");
  }
}
