package io.deeplakelock.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.attachtarget.AttachTarget;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
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
              "-javaagent:" + AgentStartupIT.ShadedJar.path() + "=" + rules)) {
        // observe: the call runs, takes no lock, and is counted.
        assertEquals("IN-CALL null /data/ds", target.call());

        write(rules, rulesText(server, "enforce"));
        target.awaitStderr("deeplake-lock: reloaded 1 rule(s)", 1);
        assertTrue(target.call().startsWith("IN-CALL write lock /deeplake/%2Fdata%2Fds"));

        write(rules, rulesText(server, "enforce").replace("lock: write", "lock: exclusive"));
        target.awaitStderr("changed but is invalid; the rules in force stay", 1);
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
