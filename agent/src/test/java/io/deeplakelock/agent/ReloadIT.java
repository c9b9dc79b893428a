package io.deeplakelock.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.attachtarget.AttachTarget;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
      Process target =
          new ProcessBuilder(
                  Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xshare:off",
                  "-javaagent:" + AgentStartupIT.ShadedJar.path() + "=" + rules,
                  "-cp",
                  Paths.get("target", "test-classes").toAbsolutePath().toString(),
                  AttachTarget.class.getName(),
                  "/data/ds")
              .redirectError(dir.resolve("target.err").toFile())
              .start();
      LinkedBlockingQueue<String> lines = pump(target);
      try (Writer stdin =
          new OutputStreamWriter(target.getOutputStream(), StandardCharsets.UTF_8)) {
        assertEquals("READY", next(lines));
        // observe: the call runs, takes no lock, and is counted.
        assertEquals("IN-CALL null /data/ds", call(stdin, lines));

        write(rules, rulesText(server, "enforce"));
        awaitStderr("deeplake-lock: reloaded 1 rule(s)", 1);
        assertTrue(call(stdin, lines).startsWith("IN-CALL write lock /deeplake/%2Fdata%2Fds"));

        write(rules, rulesText(server, "enforce").replace("lock: write", "lock: exclusive"));
        awaitStderr("changed but is invalid; the rules in force stay", 1);
        assertTrue(call(stdin, lines).startsWith("IN-CALL write lock"), "old rules must stay");
        assertEquals(1, cli("reload", String.valueOf(target.pid())));

        write(rules, rulesText(server, "shadow"));
        awaitStderr("deeplake-lock: reloaded 1 rule(s)", 2);
        assertEquals(0, cli("reload", String.valueOf(target.pid())));
        awaitStderr("deeplake-lock: reloaded 1 rule(s)", 3);
        assertEquals("IN-CALL null /data/ds", call(stdin, lines));
      } finally {
        target.destroyForcibly();
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

  private static void write(Path file, String text) throws Exception {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, text.getBytes(StandardCharsets.UTF_8));
    Files.move(
        tmp,
        file,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** Waits until stderr holds {@code text} at least {@code times} times. */
  private void awaitStderr(String text, int times) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      String err = Files.readString(dir.resolve("target.err"));
      if (err.split(java.util.regex.Pattern.quote(text), -1).length - 1 >= times) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, "no '" + text + "' x" + times + " in:\n" + err);
      Thread.onSpinWait();
    }
  }

  private String call(Writer stdin, LinkedBlockingQueue<String> lines) throws Exception {
    stdin.write("call\n");
    stdin.flush();
    return next(lines);
  }

  private String next(LinkedBlockingQueue<String> lines) throws Exception {
    String line = lines.poll(60, TimeUnit.SECONDS);
    assertTrue(line != null, "no output; stderr:\n" + Files.readString(dir.resolve("target.err")));
    return line;
  }

  private static int cli(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-jar");
    cmd.add(AgentStartupIT.ShadedJar.path());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    return p.exitValue();
  }

  private static LinkedBlockingQueue<String> pump(Process process) {
    LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  lines.add(line);
                }
              } catch (java.io.IOException e) {
                lines.add("IO-ERROR " + e);
              }
            });
    reader.setDaemon(true);
    reader.start();
    return lines;
  }
}
