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
import java.util.stream.Stream;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Rolls the agent into a running JVM and back out with the CLI, on JDK 17 and JDK 25. */
class AttachIT {

  @TempDir Path dir;

  static Stream<String> jdks() {
    return Stream.of(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
        "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
  }

  @ParameterizedTest
  @MethodSource("jdks")
  void attachGuardsRunningServiceAndDetachRemovesIt(String java) throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Paths.get(java)), "no " + java);
    try (TestingServer server =
        new TestingServer(
            new InstanceSpec(null, -1, -1, -1, true, -1, -1, -1, null, "127.0.0.1"), true)) {
      Path rules = dir.resolve("rules.yaml");
      Files.write(
          rules,
          ("zookeeper:\n  connect: "
                  + server.getConnectString()
                  + "\nrules:\n  - {name: w, class: "
                  + AttachTarget.class.getName()
                  + ", methods: [write], lock: write, dataset: this.path}\n")
              .getBytes(StandardCharsets.UTF_8));
      Process target =
          new ProcessBuilder(
                  java,
                  "-Xshare:off",
                  "-XX:+EnableDynamicAgentLoading",
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
        String pid = String.valueOf(target.pid());

        assertEquals("IN-CALL no-agent /data/ds", call(stdin, lines));

        assertEquals(0, cli("attach", pid, "--config", rules.toString()), stderr());
        assertTrue(
            call(stdin, lines)
                .matches("IN-CALL write lock /deeplake/%2Fdata%2Fds token \\d+ session 0x\\w+ .*"));

        String status = cliOutput("status", pid);
        assertTrue(status.contains("(CONNECTED), 1 method(s) instrumented"), status);
        assertTrue(status.contains("  /deeplake/%2Fdata%2Fds  (dataset /data/ds)"), status);
        assertTrue(status.contains("    acquisitions 1 (waited 0), timeouts 0, lost 0"), status);

        assertEquals(0, cli("detach", pid), stderr());
        assertEquals("IN-CALL null /data/ds", call(stdin, lines));
        assertTrue(cliOutput("status", pid).contains("deeplake-lock is not running in " + pid));

        assertEquals(0, cli("attach", pid, "--config", rules.toString()), stderr());
        assertTrue(call(stdin, lines).startsWith("IN-CALL write lock /deeplake/%2Fdata%2Fds"));
      } finally {
        target.destroyForcibly();
      }
      String err = stderr();
      assertTrue(err.contains("deeplake-lock: detached;"), err);
      assertTrue(!err.contains("WARNING: A Java agent has been loaded dynamically"), err);
    }
  }

  private String call(Writer stdin, LinkedBlockingQueue<String> lines) throws Exception {
    stdin.write("call\n");
    stdin.flush();
    return next(lines);
  }

  private String next(LinkedBlockingQueue<String> lines) throws Exception {
    String line = lines.poll(60, TimeUnit.SECONDS);
    assertTrue(line != null, "the target printed nothing; its stderr:\n" + stderr());
    return line;
  }

  private String cliOutput(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-jar");
    cmd.add(AgentStartupIT.ShadedJar.path());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "cli hung: " + out);
    return out;
  }

  private int cli(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-jar");
    cmd.add(AgentStartupIT.ShadedJar.path());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "cli hung: " + out);
    assertTrue(p.exitValue() != 0 || out.startsWith("deeplake-lock: "), out);
    return p.exitValue();
  }

  private String stderr() throws Exception {
    return Files.readString(dir.resolve("target.err"));
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
