package io.deeplakelock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The scripts in {@code bin/} answer {@code --help} with their usage at once: no build, no
 * ZooKeeper, no benchmark. (Before, {@code bin/bench-fastpath --help} built the agent and ran the
 * heap measurement, and {@code bin/demo --help} built the project and ran the demo.)
 */
class BinScriptsTest {

  /** Far more than printing a comment takes, far less than the quickest build. */
  private static final long SECONDS = 20;

  @Test
  void everyScriptPrintsItsUsageForHelpWithoutDoingAnything() throws Exception {
    List<Path> scripts;
    try (Stream<Path> files = Files.list(Paths.get("..", "bin"))) {
      scripts = files.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
    }
    assertFalse(scripts.isEmpty(), "no script in ../bin");
    Path output = Files.createTempFile("bin-help", ".txt");
    try {
      for (Path script : scripts) {
        checkHelp(script, output);
      }
    } finally {
      Files.delete(output);
    }
  }

  private static void checkHelp(Path script, Path output) throws Exception {
    Process p =
        new ProcessBuilder("bash", script.toString(), "--help")
            .redirectErrorStream(true)
            .redirectOutput(output.toFile()) // a file: readable whether or not the script ended
            .start();
    p.getOutputStream().close();
    boolean ended = p.waitFor(SECONDS, TimeUnit.SECONDS);
    if (!ended) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly().waitFor();
    }
    String out = new String(Files.readAllBytes(output), StandardCharsets.UTF_8);
    assertTrue(ended, script + " --help still ran after " + SECONDS + " s:\n" + out);
    assertEquals(0, p.exitValue(), script + " --help:\n" + out);
    String firstLine = out.isEmpty() ? "" : out.split("\n", 2)[0];
    assertEquals(headerLine(script), firstLine, script + " --help:\n" + out);
  }

  /** The script's description: its second line, without the comment mark. */
  private static String headerLine(Path script) throws IOException {
    String second = Files.readAllLines(script).get(1);
    assertTrue(second.startsWith("# "), script + " has no description under its #! line");
    return second.substring(2);
  }
}
