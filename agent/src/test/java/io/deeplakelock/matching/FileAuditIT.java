package io.deeplakelock.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.matching.sample.FileOpsMain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of file change the audit watches, through java.io and java.nio.file, in a child JVM
 * under the built agent: {@code fail} refuses each before it happens, {@code warn} reports each
 * call site once, and with the audit off no JDK class is instrumented.
 */
class FileAuditIT {

  /** The operations of {@link FileOpsMain} that change the dataset. */
  private static final List<String> CHANGES =
      Arrays.asList(
          "io-output",
          "io-append",
          "io-random-access-rw",
          "io-delete",
          "io-rename",
          "io-create",
          "io-mkdir",
          "io-mkdirs",
          "nio-output",
          "nio-append",
          "nio-create",
          "nio-delete",
          "nio-delete-if-exists",
          "nio-move",
          "nio-move-in",
          "nio-copy-in",
          "nio-mkdir",
          "nio-channel-write",
          "nio-channel-truncate");

  /** Reads (no read rule takes read locks, so they are not audited) and files outside. */
  private static final List<String> UNCHECKED =
      Arrays.asList("io-random-access-r", "nio-read", "outside-write", "outside-io-write");

  @TempDir Path dir;
  private static TestingServer zooKeeper;

  @BeforeAll
  static void startZooKeeper() throws Exception {
    zooKeeper =
        new TestingServer(
            new InstanceSpec(
                null, -1, -1, -1, true, -1, -1, -1, Map.of("maxCnxns", "100"), "127.0.0.1"),
            true);
  }

  @AfterAll
  static void stopZooKeeper() throws IOException {
    if (zooKeeper != null) {
      zooKeeper.close();
    }
  }

  @Test
  void failRefusesEveryKindOfChangeBeforeItHappens() throws Exception {
    Path root = dataset("fail");
    Map<String, String> before = snapshot(root);
    ServiceRun run = ServiceRun.run(root, rules(root, "fail"), FileOpsMain.class, root.toString());
    assertEquals(0, run.exit, run.toString());
    for (String op : CHANGES) {
      assertEquals("refused UnguardedWriteException", run.result(op), op + "\n" + run);
    }
    for (String op : UNCHECKED) {
      assertEquals("ok", run.result(op), op + "\n" + run);
    }
    Map<String, String> after = snapshot(root);
    after.remove("outside-2");
    after.remove("outside-3");
    assertEquals(before, after, "the dataset (and the file meant to move in) are untouched");
    assertFalse(run.stderr.contains("VerifyError"), run.toString());
  }

  @Test
  void warnReportsEachCallSiteOnceAndLetsTheChangeHappen() throws Exception {
    Path root = dataset("warn");
    ServiceRun run = ServiceRun.run(root, rules(root, "warn"), FileOpsMain.class, root.toString());
    assertEquals(0, run.exit, run.toString());
    ServiceRun plain =
        ServiceRun.run(dataset("plain"), null, FileOpsMain.class, dir.resolve("plain").toString());
    assertEquals(plain.results(), run.results(), "warn changes nothing about the outcome");
    long reports =
        run.stderr.lines().filter(l -> l.contains(" ERROR ") && l.contains("AuditCheck")).count();
    // One per operation; a move or rename reports its source and its target at one call site.
    assertEquals(CHANGES.size(), reports, run.toString());
    assertTrue(run.stderr.contains("audit: instrumented java.io.File"), run.toString());
    assertTrue(
        run.stderr.contains("service code: io.deeplakelock.matching.sample.FileOpsMain"),
        run.toString());
  }

  @Test
  void withTheAuditOffNoJdkClassIsInstrumented() throws Exception {
    Path root = dataset("off");
    ServiceRun run = ServiceRun.run(root, rules(root, "off"), FileOpsMain.class, root.toString());
    assertEquals(0, run.exit, run.toString());
    assertFalse(run.stderr.contains("audit: instrumented"), run.toString());
    assertFalse(run.stderr.contains("AuditCheck"), run.toString());
  }

  private Path dataset(String name) throws IOException {
    Path root = dir.resolve(name);
    Files.createDirectories(root.resolve("ds"));
    Files.write(root.resolve("ds").resolve("a"), "a\n".getBytes(StandardCharsets.UTF_8));
    Files.write(root.resolve("ds").resolve("b"), "b\n".getBytes(StandardCharsets.UTF_8));
    Files.write(root.resolve("outside"), "o\n".getBytes(StandardCharsets.UTF_8));
    return root;
  }

  private static Path rules(Path root, String mode) throws IOException {
    return Files.write(
        root.resolve("rules.yaml"),
        ("zookeeper:\n  connect: "
                + zooKeeper.getConnectString()
                + "\nrules:\n  - {name: w, class: com.example.Absent, methods: [m], lock: write,"
                + " dataset: arg0}\naudit:\n  mode: "
                + mode
                + "\n  roots: [\""
                + root
                + "\"]\n")
            .getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        String name = root.relativize(p).toString();
        if (name.startsWith("ds") || name.startsWith("outside")) {
          String content =
              Files.isRegularFile(p)
                  ? new String(Files.readAllBytes(p), StandardCharsets.UTF_8)
                  : "<dir>";
          files.put(root.relativize(p).toString(), content);
        }
      }
    }
    return files;
  }
}
