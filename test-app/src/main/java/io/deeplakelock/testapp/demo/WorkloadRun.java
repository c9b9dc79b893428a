package io.deeplakelock.testapp.demo;

import io.deeplakelock.testapp.dataset.Dataset;
import io.deeplakelock.testapp.service.DatasetService;
import io.deeplakelock.testapp.service.Verification;
import io.deeplakelock.testapp.service.WriterReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One round of the concurrent workload on a fresh dataset: writer JVMs and a searcher JVM that
 * start their operations together, then the check of what they left behind.
 */
final class WorkloadRun {
  /** The dataset path every child is given, relative to the run directory it works in. */
  static final String DATASET = "ds";

  static final int DIMENSION = 8;

  private static final long READY_TIMEOUT_SECONDS = 90;
  private static final long EXIT_TIMEOUT_SECONDS = 300;
  private static final int LOG_LINES = 10;

  private final String label;
  private final Path dir;
  private final List<String> javaCommand;
  private final Map<String, String> environment;
  private final Demo.Settings settings;
  private final List<WorkloadJvm> started;

  /**
   * @param javaCommand the java binary and JVM options (agent included or not), up to the class
   * @param started where each started child is registered, so the demo can stop it on the way out
   */
  WorkloadRun(
      String label,
      Path dir,
      List<String> javaCommand,
      Map<String, String> environment,
      Demo.Settings settings,
      List<WorkloadJvm> started) {
    this.label = label;
    this.dir = dir;
    this.javaCommand = javaCommand;
    this.environment = environment;
    this.settings = settings;
    this.started = started;
  }

  RunResult execute() throws IOException, InterruptedException {
    Files.createDirectories(dir.resolve("logs"));
    Path dataset = dir.resolve(DATASET);
    Dataset.create(dataset.toString(), DIMENSION);
    String go = dir.resolve("go").toAbsolutePath().toString();

    List<WorkloadJvm> writers = new ArrayList<>();
    for (int i = 1; i <= settings.writers; i++) {
      List<String> workload =
          new ArrayList<>(
              Arrays.asList(
                  "writer",
                  "--dataset",
                  DATASET,
                  "--id",
                  "w" + i,
                  "--ops",
                  Integer.toString(settings.ops),
                  "--go",
                  go));
      if (i == 1 && settings.compactEvery > 0) {
        workload.add("--compact-every");
        workload.add(Integer.toString(settings.compactEvery));
      }
      writers.add(launch("writer-" + i, workload.toArray(new String[0])));
    }
    WorkloadJvm searcher =
        launch(
            "searcher",
            "searcher",
            "--dataset",
            DATASET,
            "--id",
            "s1",
            "--searches",
            Integer.toString(settings.searches),
            "--go",
            go);
    List<WorkloadJvm> children = new ArrayList<>(writers);
    children.add(searcher);

    for (WorkloadJvm child : children) {
      if (!child.awaitReady(READY_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new DemoException(child.name() + " never became ready", child);
      }
    }
    long began = System.nanoTime();
    // Everyone polls for this file every millisecond, so they start within about one.
    Files.createFile(dir.resolve("go"));
    for (WorkloadJvm child : children) {
      int status = child.awaitExit(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      if (status != 0) {
        throw new DemoException(child.name() + " exited with status " + status, child);
      }
    }
    long wallMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);

    List<WriterReport> reports = new ArrayList<>();
    List<String> failureLog = new ArrayList<>();
    for (WorkloadJvm writer : writers) {
      WriterReport report = WriterReport.fromJson(summaryOf(writer));
      reports.add(report);
      if (report.failed() > 0) {
        failureLog.addAll(prefixed(writer));
      }
    }
    Map<String, Object> searches = summaryOf(searcher);
    if (!Long.valueOf(0).equals(searches.get("failed"))) {
      failureLog.addAll(prefixed(searcher));
    }
    Verification verification = Verification.of(dataset.toString(), reports);
    return new RunResult(
        label, reports, Arrays.asList(searches), verification, wallMillis, failureLog);
  }

  private WorkloadJvm launch(String name, String... workload) throws IOException {
    List<String> command = new ArrayList<>(javaCommand);
    command.add(DatasetService.class.getName());
    command.addAll(Arrays.asList(workload));
    WorkloadJvm child =
        WorkloadJvm.start(
            name, command, environment, dir, dir.resolve("logs").resolve(name + ".log"));
    started.add(child);
    return child;
  }

  private static Map<String, Object> summaryOf(WorkloadJvm child) {
    Map<String, Object> summary;
    try {
      summary = child.summary();
    } catch (IllegalArgumentException e) {
      throw new DemoException(child.name() + " printed a malformed summary: " + e.getMessage());
    }
    if (summary == null) {
      throw new DemoException(child.name() + " printed no summary", child);
    }
    return summary;
  }

  private static List<String> prefixed(WorkloadJvm child) {
    List<String> lines = new ArrayList<>();
    for (String line : child.logTail(LOG_LINES)) {
      lines.add("[" + child.name() + "] " + line);
    }
    return lines;
  }
}
