package io.deeplakelock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.agent.Version;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unit tests for {@link Main}. */
class MainTest {

  private static final String VALID =
      """
      zookeeper:
        connect: 127.0.0.1:2181
      rules:
        - name: dataset-writes
          class: com.example.Dataset
          methods: [append, update]
          lock: write
          dataset: this.path
        - name: dataset-reads
          class: com.example.Dataset
          methods: [search]
          lock: read
          dataset: arg0
      """;

  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @Test
  void helpPrintsUsageAndSucceeds() {
    assertEquals(0, run("--help"));

    assertTrue(out().startsWith("usage: java -jar deeplake-lock.jar"), out());
    assertTrue(out().contains("check --config FILE"), out());
    assertEquals("", err());
  }

  @Test
  void versionPrintsTheVersion() {
    assertEquals(0, run("--version"));

    assertEquals("deeplake-lock " + Version.get(), out().trim());
    assertFalse(Version.get().isBlank());
  }

  @Test
  void checkOfValidFileSucceedsAndListsRules() throws IOException {
    Path file = write("valid.yaml", VALID);

    assertEquals(0, run("check", "--config", file.toString()));

    assertTrue(out().startsWith(file + ": valid"), out());
    assertTrue(out().contains("dataset-writes"), out());
    assertTrue(out().contains("dataset-reads"), out());
    assertEquals("", err());
  }

  @Test
  void checkOfInvalidFileFailsWithFileLineColumnLines() throws IOException {
    Path file =
        write(
            "invalid.yaml",
            VALID.replace("lock: write", "lock: exclusive").replace("arg0", "this..path"));

    assertEquals(2, run("check", "--config", file.toString()));

    List<String> lines = err().lines().toList();
    assertEquals(2, lines.size(), err());
    assertTrue(lines.get(0).startsWith(file + ":7:11: "), lines.get(0));
    assertTrue(lines.get(1).startsWith(file + ":13:19: "), lines.get(1));
    assertEquals("", out());
  }

  @Test
  void checkOfMissingFileFails() {
    Path file = dir.resolve("absent.yaml");

    assertEquals(2, run("check", "--config", file.toString()));

    assertTrue(err().startsWith(file + ":1:1: "), err());
  }

  @Test
  void checkWithoutConfigPrintsItsUsage() {
    assertEquals(64, run("check"));

    assertTrue(err().contains("usage: java -jar deeplake-lock.jar check --config FILE"), err());
  }

  @Test
  void checkHelpSucceeds() {
    assertEquals(0, run("check", "--help"));

    assertTrue(out().contains("Exit status"), out());
  }

  @Test
  void unknownCommandFailsWithUsage() {
    assertEquals(64, run("frobnicate"));

    assertTrue(err().startsWith("deeplake-lock: unknown command 'frobnicate'"), err());
    assertTrue(err().contains("usage:"), err());
  }

  @Test
  void noArgumentsFailWithUsage() {
    assertEquals(64, run());

    assertTrue(err().startsWith("usage:"), err());
  }

  private int run(String... args) {
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      return Main.run(args, o, e);
    }
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }
}
