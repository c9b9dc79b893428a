package io.deeplakelock.testapp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.testapp.dataset.Dataset;
import io.deeplakelock.testapp.demo.WorkloadJvm;
import io.deeplakelock.testsupport.AgentJar;
import io.deeplakelock.testsupport.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code status <pid>} of a service that holds a write lock while a second thread of it waits: what
 * it prints, and that the README's example has the same form line by line.
 */
class StatusOutputIT extends ServiceJvmsFixture {

  @Test
  void statusShowsTheHolderAndTheWaiterAndMatchesTheReadme() throws Exception {
    Path dataset = dir.resolve("ds");
    Dataset.create(dataset.toString(), 8);
    Path rules = new RulesFile().writeTo(dir, "rules.yaml");
    Path release = dir.resolve("release");
    WorkloadJvm service =
        jvms.startReady(
            "hold",
            rules,
            "hold",
            "--dataset",
            dataset.toString(),
            "--release",
            release.toString(),
            "--contend");

    List<String> status = status(service.process().pid());
    ServiceJvms.signal(release);
    ServiceJvms.awaitSuccess(service);

    String lock = LockServer.lockPath(dataset);
    int at = status.indexOf("  " + lock + "  (dataset " + dataset.toAbsolutePath() + ")");
    assertTrue(at > 0, "no entry for " + lock + ": " + String.join("\n", status));
    // Two acquisitions: Dataset.open (read rule) and the hold. The second writer still waits:
    // it is listed as a waiter, not counted.
    assertTrue(
        status
            .get(at + 1)
            .matches("    acquisitions 2 \\(waited 0\\), timeouts 0, lost 0, fencing token \\d+"),
        status.get(at + 1));
    assertTrue(
        status
            .get(at + 3)
            .matches(
                "    holders write node _c_[0-9a-f-]+-__lock__\\d{10} \\(main\\); waiters second-writer"),
        status.get(at + 3));

    assertEquals(shapes(readmeExample()), shapes(status), "README's status example vs real output");
  }

  /** The lines of the README's {@code status} example. */
  private static List<String> readmeExample() throws Exception {
    List<String> lines = Files.readAllLines(Paths.get("..", "README.md"), StandardCharsets.UTF_8);
    int intro = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains("`status` prints the same")) {
        intro = i;
      }
    }
    assertTrue(intro >= 0, "the README has no status example");
    int open = intro;
    while (!lines.get(open).startsWith("```")) {
      open++;
    }
    int close = open + 1;
    while (!lines.get(close).startsWith("```")) {
      close++;
    }
    return lines.subList(open + 1, close);
  }

  /**
   * A line with what differs between runs taken out: numbers, paths, node ids, and the rules (which
   * are the example's own).
   */
  private static List<String> shapes(List<String> lines) {
    List<String> out = new ArrayList<>();
    boolean inRules = false;
    for (String line : lines) {
      if (line.equals("rules:")) {
        inRules = true;
        out.add(line);
        continue;
      }
      if (inRules && line.startsWith("  ")) {
        continue;
      }
      inRules = false;
      out.add(
          line.replaceAll("_c_[0-9a-f-]+-__", "_c_ID-__")
              .replaceAll("/[^ ,)]*", "PATH")
              .replaceAll("\\d+(\\.\\d+)?", "N"));
    }
    return out;
  }

  private static List<String> status(long pid) throws Exception {
    ChildJvm.Finished run =
        ChildJvm.named("status")
            .keepClassDataSharing()
            .launch(List.of("-jar", AgentJar.path().toString()), "status", Long.toString(pid))
            .stderrIntoStdout()
            .run(Duration.ofSeconds(60));
    List<String> lines = run.stdout.lines().collect(Collectors.toList());
    assertEquals(0, run.exit, String.join("\n", lines));
    System.out.println("status output:\n" + lines.stream().collect(Collectors.joining("\n")));
    return lines;
  }
}
