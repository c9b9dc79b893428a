package io.deeplakelock.testapp.service;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code verify} workload: checks a dataset against the reports its writers printed.
 *
 * <pre>
 * verify --dataset PATH --histories FILE...
 * </pre>
 *
 * Each file holds a writer's standard output; its writer report lines are used, other lines
 * ignored. Prints the {@link Verification} as one JSON line and exits 0 when the dataset is clean,
 * 1 when not.
 */
final class VerifyWorkload {
  static final String USAGE = "verify --dataset PATH --histories FILE...";

  private final String datasetPath;
  private final List<String> histories;

  VerifyWorkload(Arguments args) {
    this.datasetPath = args.required("dataset");
    this.histories = args.all("histories");
    if (histories.isEmpty()) {
      throw new IllegalArgumentException("--histories needs at least one file");
    }
  }

  int run(PrintStream out) {
    List<WriterReport> writers = new ArrayList<>();
    for (String file : histories) {
      writers.addAll(readReports(file));
    }
    Verification verification = Verification.of(datasetPath, writers);
    out.println(Json.write(verification.toJson()));
    return verification.isClean() ? 0 : 1;
  }

  private static List<WriterReport> readReports(String file) {
    List<WriterReport> reports = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(Paths.get(file), StandardCharsets.UTF_8)) {
        if (line.startsWith("{")) {
          Map<String, Object> json = Json.parseObject(line);
          if (WriterReport.isWriterReport(json)) {
            reports.add(WriterReport.fromJson(json));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return reports;
  }
}
