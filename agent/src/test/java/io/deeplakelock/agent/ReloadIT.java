package io.deeplakelock.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.attachtarget.AttachTarget;
import io.deeplakelock.testsupport.AgentJar;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The roll-out path without a restart: start in observe mode, switch to enforce by editing the
 * rules file, survive an invalid edit with the old rules, and reload on command.
 */
class ReloadIT {

  @TempDir Path dir;

  @Test
  void observeThenEnforceByEditingTheRulesFile() throws Exception {
    try (TestingServer server =
        new TestingServer(
            new InstanceSpec(null, -1, -1, -1, true, -1, -1, -1, null, "127.0.0.1"), true)) {
      Path rules = dir.resolve("rules.yaml");
      write(rules, rulesText(server, "observe"));
      try (TargetJvm target =
          TargetJvm.start(
              Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
              dir,
              "-javaagent:" + AgentJar.path() + "=" + rules)) {
        // observe: the call runs, takes no lock, and is counted.
        assertEquals("IN-CALL null /data/ds", target.call());

        write(rules, rulesText(server, "enforce"));
        target.awaitStderr("deeplake-lock: reloaded 1 rule(s)", 1);
        assertTrue(target.call().startsWith("IN-CALL write lock /deeplake/%2Fdata%2Fds"));

        write(rules, rulesText(server, "enforce").replace("lock: write", "lock: exclusive"));
        target.awaitStderr("is invalid; the rules in force stay", 1);
        assertTrue(target.call().startsWith("IN-CALL write lock"), "old rules must stay");
        assertEquals(1, TargetJvm.Cli.run("reload", target.pid()).exit);

        write(rules, rulesText(server, "shadow"));
        target.awaitStderr("deeplake-lock: reloaded 1 rule(s)", 2);
        assertEquals(0, TargetJvm.Cli.run("reload", target.pid()).exit);
        target.awaitStderr("deeplake-lock: reloaded 1 rule(s)", 3);
        assertEquals("IN-CALL null /data/ds", target.call());
      }
    }
  }

  @Test
  void reloadOfAnInvalidFileSaysWhyInOneLineEachAndKeepsTheOldRules() throws Exception {
    try (TestingServer server =
        new TestingServer(
            new InstanceSpec(null, -1, -1, -1, true, -1, -1, -1, null, "127.0.0.1"), true)) {
      Path rules = dir.resolve("rules.yaml");
      write(rules, rulesText(server, "enforce"));
      try (TargetJvm target =
          TargetJvm.start(
              Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
              dir,
              "-javaagent:" + AgentJar.path() + "=" + rules)) {
        assertTrue(target.call().startsWith("IN-CALL write lock /deeplake/%2Fdata%2Fds"));

        String invalid = rulesText(server, "enforce").replace("lock: write", "lock: exclusive");
        write(rules, invalid);
        target.awaitStderr("is invalid; the rules in force stay", 1);
        TargetJvm.Cli refused = TargetJvm.Cli.run("reload", target.pid());

        assertEquals(1, refused.exit, refused.output);
        String position = rules + ":" + lineColumn(invalid, "exclusive") + ": ";
        assertEquals(
            List.of(
                "deeplake-lock reload: the rules file of "
                    + target.pid()
                    + " is invalid; the rules in force stay: "
                    + position
                    + "'exclusive' is not allowed here; write one of: read, write"),
            refused.output.lines().toList(),
            refused.output);
        assertTrue(target.call().startsWith("IN-CALL write lock"), "old rules must stay");
        String stderr = target.stderr();
        assertFalse(stderr.contains("Exception in thread"), stderr);
        assertFalse(stderr.contains("\tat "), "no stack trace: " + stderr);
        long lines =
            stderr.lines().filter(l -> l.contains("is invalid; the rules in force stay")).count();
        assertEquals(
            stderr.lines().filter(l -> l.contains(position)).count(), lines, "one line each");

        // A change that needs a restart: the CLI says so too, not only the service's stderr.
        write(
            rules,
            rulesText(server, "enforce").replace("rules:", "locks:\n  root: /other\nrules:"));
        target.awaitStderr("deeplake-lock: reloaded 1 rule(s)", 1);
        TargetJvm.Cli restart = TargetJvm.Cli.run("reload", target.pid());
        assertEquals(0, restart.exit, restart.output);
        assertTrue(
            restart.output.contains(
                "locks.root changed (/deeplake -> /other): it takes effect only after a restart"),
            restart.output);
        assertTrue(target.call().startsWith("IN-CALL write lock /deeplake/"), "root unchanged");
      }
    }
  }

  /** {@code line:column} of the first {@code needle} in {@code text}. */
  private static String lineColumn(String text, String needle) {
    int offset = text.indexOf(needle);
    int line = 1 + (int) text.substring(0, offset).chars().filter(c -> c == '\n').count();
    return line + ":" + (offset - text.lastIndexOf('\n', offset - 1));
  }

  private static String rulesText(TestingServer server, String mode) {
    return "zookeeper:\n  connect: "
        + server.getConnectString()
        + "\nmode: "
        + mode
        + "\nrules:\n  - name: w\n    class: "
        + AttachTarget.class.getName()
        + "\n    methods: [write]\n    lock: write\n    dataset: this.path\n";
  }

  /** Replaces the file as editors do (write a sibling, rename over it). */
  private static void write(Path file, String text) throws Exception {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, text.getBytes(StandardCharsets.UTF_8));
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
