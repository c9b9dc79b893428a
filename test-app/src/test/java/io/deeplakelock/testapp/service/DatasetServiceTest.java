package io.deeplakelock.testapp.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.testapp.dataset.Dataset;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unit tests for the workloads of {@link DatasetService}, run in-process one at a time. */
class DatasetServiceTest {
  @TempDir Path dir;

  @Test
  void loneWriterIsVerifiedClean() throws IOException {
    String dataset = dir.resolve("ds").toString();
    assertEquals(0, run("create", "--dataset", dataset, "--dim", "8", "--chunk-rows", "16"));
    Path go = Files.createFile(dir.resolve("go"));

    List<String> writer =
        output(
            0, "writer", "--dataset", dataset, "--id", "w1", "--ops", "120", "--go", go.toString());
    assertEquals("READY", writer.get(0));
    WriterReport report = WriterReport.fromJson(Json.parseObject(writer.get(1)));
    assertEquals(120, report.attempted());
    assertEquals(120, report.acked());
    assertEquals(0, report.failed());
    assertNull(report.lockWaitMs(), "no agent here");
    assertTrue(
        report.expected().containsValue("w1-0")
            || report.expected().containsKey("w1-0")
            || report.deleted().contains("w1-0"));
    assertFalse(report.deleted().isEmpty(), "the seeded mix deletes some rows");
    assertTrue(report.expected().values().stream().anyMatch(text -> text.endsWith(":u")));
    assertEquals(report.expected().size(), Dataset.open(dataset).size());

    List<String> searcher =
        output(0, "searcher", "--dataset", dataset, "--go", go.toString(), "--searches", "20");
    Map<String, Object> searches = Json.parseObject(searcher.get(1));
    assertEquals(40L, searches.get("attempted"));
    assertEquals(0L, searches.get("corrupt"));

    Path history = dir.resolve("w1.out");
    Files.write(history, writer);
    Map<String, Object> verdict =
        Json.parseObject(
            output(0, "verify", "--dataset", dataset, "--histories", history.toString()).get(0));
    assertEquals(true, verdict.get("readable"));
    assertEquals(0L, verdict.get("lost"));
    assertEquals(0L, verdict.get("duplicated"));
    assertEquals(0L, verdict.get("wronglyPresent"));
  }

  @Test
  void verifyCountsLostDuplicatedAndResurrectedRows() throws IOException {
    String dataset = dir.resolve("ds").toString();
    Dataset ds = Dataset.create(dataset, 2);
    ds.append("w-0", "", new float[] {1, 0});
    ds.append("w-1", "", new float[] {1, 0}); // its update to w-1:u was acknowledged, then lost
    ds.append("w-2", "", new float[] {1, 0}); // its delete was acknowledged, then lost
    ds.append("w-3", "", new float[] {1, 0});
    ds.append("w-3", "", new float[] {1, 0}); // a duplicate
    // w-4 was acknowledged and is missing entirely.
    String report =
        "{\"role\":\"writer\",\"id\":\"w\",\"attempted\":7,\"acked\":7,\"failed\":0,"
            + "\"elapsedMs\":1,\"lockWaitMs\":null,\"errors\":{},"
            + "\"expected\":{\"w-0\":\"w-0\",\"w-1\":\"w-1:u\",\"w-3\":\"w-3\",\"w-4\":\"w-4\"},"
            + "\"deleted\":[\"w-2\"],\"uncertain\":[]}";
    Path history = dir.resolve("w.out");
    Files.write(history, List.of("READY", report));

    Map<String, Object> verdict =
        Json.parseObject(
            output(1, "verify", "--dataset", dataset, "--histories", history.toString()).get(0));
    assertEquals(2L, verdict.get("lost"));
    assertEquals(1L, verdict.get("duplicated"));
    assertEquals(1L, verdict.get("wronglyPresent"));
    assertEquals(List.of("w-1:u", "w-4"), verdict.get("lostExamples"));
  }

  @Test
  void unknownOptionIsAUsageError() {
    assertEquals(2, run("writer", "--dataset", "x", "--id", "w", "--go", "g", "--opps", "3"));
    assertEquals(2, run("nonsense"));
    assertEquals(2, run());
  }

  private static int run(String... args) {
    PrintStream discard =
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    return DatasetService.run(args, discard, discard);
  }

  private static List<String> output(int expectedStatus, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        DatasetService.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(expectedStatus, status, err.toString(StandardCharsets.UTF_8));
    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }
}
