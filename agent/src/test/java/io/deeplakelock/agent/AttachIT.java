package io.deeplakelock.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.attachtarget.AttachTarget;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
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
                new InstanceSpec(null, -1, -1, -1, true, -1, -1, -1, null, "127.0.0.1"), true);
        TargetJvm target = TargetJvm.start(java, dir, "-XX:+EnableDynamicAgentLoading")) {
      Path rules = dir.resolve("rules.yaml");
      Files.write(
          rules,
          ("zookeeper:\n  connect: "
                  + server.getConnectString()
                  + "\nrules:\n  - {name: w, class: "
                  + AttachTarget.class.getName()
                  + ", methods: [write], lock: write, dataset: this.path}\n")
              .getBytes(StandardCharsets.UTF_8));
      String pid = target.pid();

      assertEquals("IN-CALL no-agent /data/ds", target.call());

      assertAttached(TargetJvm.Cli.run("attach", pid, "--config", rules.toString()));
      assertTrue(
          target
              .call()
              .matches("IN-CALL write lock /deeplake/%2Fdata%2Fds token \\d+ session 0x\\w+ .*"));
      String status = TargetJvm.Cli.run("status", pid).output;
      assertTrue(
          status.contains("(CONNECTED; no auth, ACL open, plaintext), 1 method(s) instrumented"),
          status);
      assertTrue(status.contains("  /deeplake/%2Fdata%2Fds  (dataset /data/ds)"), status);
      assertTrue(status.contains("    acquisitions 1 (waited 0), timeouts 0, lost 0"), status);

      assertAttached(TargetJvm.Cli.run("detach", pid));
      assertEquals("IN-CALL null /data/ds", target.call());
      assertTrue(
          TargetJvm.Cli.run("status", pid)
              .output
              .contains("deeplake-lock is not running in " + pid));

      assertAttached(TargetJvm.Cli.run("attach", pid, "--config", rules.toString()));
      assertTrue(target.call().startsWith("IN-CALL write lock /deeplake/%2Fdata%2Fds"));

      String err = target.stderr();
      assertTrue(err.contains("deeplake-lock: detached;"), err);
      assertTrue(!err.contains("WARNING: A Java agent has been loaded dynamically"), err);
    }
  }

  private static void assertAttached(TargetJvm.Cli cli) {
    assertEquals(0, cli.exit, cli.output);
    assertTrue(cli.output.startsWith("deeplake-lock: "), cli.output);
  }
}
