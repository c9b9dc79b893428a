package io.deeplakelock.testapp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.testapp.dataset.Dataset;
import io.deeplakelock.testapp.demo.WorkloadJvm;
import io.deeplakelock.testapp.service.WriterReport;
import io.deeplakelock.testsupport.AgentJar;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A write that cannot get its lock in time fails with LockTimeoutException and changes nothing. */
class LockTimeoutIT extends ServiceJvmsFixture {
  private static final String EXCEPTION = "io.deeplakelock.bridge.LockTimeoutException";
  private static final Pattern WAITED = Pattern.compile("timed out after (\\d+) ms");

  @Test
  void appendTimesOutWhileAnotherProcessHoldsTheWriteLockAndLeavesTheDatasetUntouched()
      throws Exception {
    Path rules = new RulesFile().timeout("1s").writeTo(dir, "rules.yaml");
    Path dataset = dir.resolve("ds");
    Dataset created = Dataset.create(dataset.toString(), 8);
    created.append("seed-0", "seed", new float[] {1, 0, 0, 0, 0, 0, 0, 0});
    created.append("seed-1", "seed", new float[] {0, 1, 0, 0, 0, 0, 0, 0});
    String lockPath = LockServer.lockPath(dataset);
    Path go = dir.resolve("go");
    Path release = dir.resolve("release");

    WorkloadJvm writer =
        jvms.startReady(
            "writer",
            rules,
            "writer",
            "--dataset",
            dataset.toString(),
            "--id",
            "w1",
            "--ops",
            "1",
            "--go",
            go.toString());
    WorkloadJvm holder =
        jvms.startReady(
            "holder",
            rules,
            "hold",
            "--dataset",
            dataset.toString(),
            "--release",
            release.toString());
    Map<String, String> before = snapshot(dataset);
    ServiceJvms.signal(go);

    WriterReport report = WriterReport.fromJson(ServiceJvms.awaitSuccess(writer));
    assertEquals(1, report.attempted(), report.toJson().toString());
    assertEquals(0, report.acked(), "the append must not be acknowledged: " + report.toJson());
    assertEquals(
        Collections.singletonMap("LockTimeoutException", 1L),
        report.errors(),
        report.toJson().toString());

    String failure =
        writer.logTail(50).stream()
            .filter(line -> line.contains("failed: " + EXCEPTION + ": "))
            .findFirst()
            .orElseThrow(
                () ->
                    new AssertionError(
                        "no " + EXCEPTION + " logged" + ServiceJvms.describe(writer)));
    assertTrue(failure.contains("write lock"), failure);
    assertTrue(failure.contains("dataset '" + dataset + "'"), "names the dataset: " + failure);
    assertTrue(failure.contains("lock path " + lockPath), "names the lock path: " + failure);
    assertTrue(
        failure.contains(holder.process().pid() + "@"), "names the holding process: " + failure);
    Matcher waited = WAITED.matcher(failure);
    assertTrue(waited.find(), "names the wait: " + failure);
    long waitedMillis = Long.parseLong(waited.group(1));
    assertTrue(
        waitedMillis >= 1000 && waitedMillis < 10_000, "waited about the 1 s timeout: " + failure);

    assertEquals(before, snapshot(dataset), "the dataset's files changed");
    ServiceJvms.signal(release);
    ServiceJvms.awaitSuccess(holder);
    assertEquals(2, Dataset.open(dataset.toString()).size());
    server.awaitChildren(
        lockPath, List::isEmpty, Duration.ofSeconds(10), "no lock node once both have finished");
  }

  @Test
  void lockTimeoutExceptionIsADatasetLockException() throws Exception {
    try (URLClassLoader agent =
        new URLClassLoader(new URL[] {AgentJar.path().toUri().toURL()}, null)) {
      Class<?> base = Class.forName("io.deeplakelock.bridge.DatasetLockException", false, agent);
      Class<?> timeout = Class.forName(EXCEPTION, false, agent);
      assertTrue(base.isAssignableFrom(timeout));
      assertTrue(RuntimeException.class.isAssignableFrom(timeout), "unchecked");
    }
  }

  /** Every file of the dataset with its modification time and bytes. */
  private static Map<String, String> snapshot(Path dataset) throws Exception {
    try (Stream<Path> files = Files.walk(dataset)) {
      Map<String, String> contents = new TreeMap<>();
      for (Path file : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
        contents.put(
            dataset.relativize(file).toString(),
            Files.getLastModifiedTime(file)
                + "\n"
                + new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
      }
      assertNotNull(contents.get("dataset_meta"), "the dataset has a meta file: " + contents);
      return contents;
    }
  }
}
