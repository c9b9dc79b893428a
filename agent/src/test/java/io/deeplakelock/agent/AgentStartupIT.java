package io.deeplakelock.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.testsupport.AgentJar;
import io.deeplakelock.testsupport.ChildJvm;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starts real JVMs with {@code -javaagent} to check what premain does to a host service. */
class AgentStartupIT {

  @TempDir Path dir;

  @Test
  void invalidRulesFileStopsStartupWithPositionAndNothingOnStdout() throws Exception {
    Path rules = dir.resolve("bad.yaml");
    Files.write(
        rules,
        ("zookeeper:\n  connect: 127.0.0.1:1\nlocks:\n  timeot: 5s\nrules: []\n")
            .getBytes(StandardCharsets.UTF_8));
    ChildJvm.Finished r = runService(rules.toString());
    assertEquals(2, r.exit, r.toString());
    assertEquals("", r.stdout, "the service must not have run");
    assertTrue(r.stderr.contains(rules + ":4:3: unknown key 'timeot'"), r.stderr);
    assertTrue(r.stderr.contains("did you mean 'timeout'"), r.stderr);
    assertTrue(r.stderr.contains(rules + ":5:8: 'rules' is empty"), r.stderr);
  }

  @Test
  void missingRulesFileStopsStartup() throws Exception {
    ChildJvm.Finished r = runService(dir.resolve("nope.yaml").toString());
    assertEquals(2, r.exit, r.toString());
    assertTrue(r.stderr.contains("cannot read the rules file"), r.stderr);
  }

  @Test
  void unreachableZooKeeperDoesNotDelayStartupOrPrintToStdout() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Path rules = dir.resolve("ok.yaml");
    Files.write(
        rules,
        ("zookeeper:\n  connect: 127.0.0.1:"
                + closedPort
                + "\n  connectionTimeout: 30s\nrules:\n"
                + "  - name: r\n    class: com.example.Absent\n    methods: [m]\n"
                + "    lock: write\n    dataset: arg0\n")
            .getBytes(StandardCharsets.UTF_8));
    long start = System.nanoTime();
    ChildJvm.Finished r = runService(rules.toString());
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
    assertEquals(0, r.exit, r.toString());
    assertEquals("hello from the service\n", r.stdout);
    assertTrue(r.stderr.contains("deeplake-lock "), r.stderr);
    assertTrue(seconds < 20, "start-up waited on ZooKeeper: " + seconds + " s");
  }

  @Test
  void noJvmWarningsOnTheNewestJdk() throws Exception {
    Path jdk25 = Paths.get("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(jdk25), "no JDK 25 here");
    Path rules = dir.resolve("ok.yaml");
    Files.write(
        rules,
        ("zookeeper:\n  connect: 127.0.0.1:1\nrules:\n"
                + "  - {name: r, class: com.example.Absent, methods: [m], lock: write,"
                + " dataset: arg0}\n")
            .getBytes(StandardCharsets.UTF_8));
    ChildJvm.Finished r = runService(jdk25.toString(), rules.toString());
    assertEquals(0, r.exit, r.toString());
    assertEquals("hello from the service\n", r.stdout);
    // e.g. JDK 24+'s "A terminally deprecated method in sun.misc.Unsafe has been called"
    assertTrue(!r.stderr.contains("WARNING:"), r.stderr);
  }

  private ChildJvm.Finished runService(String agentArgument)
      throws IOException, InterruptedException {
    return runService(ChildJvm.JAVA, agentArgument);
  }

  private ChildJvm.Finished runService(String java, String agentArgument)
      throws IOException, InterruptedException {
    return ChildJvm.named("service")
        .java(java)
        .agent(AgentJar.path(), agentArgument)
        .main(HelloService.class)
        .stdoutTo(dir.resolve("out.txt"))
        .stderrTo(dir.resolve("err.txt"))
        .run(Duration.ofSeconds(60));
  }
}
