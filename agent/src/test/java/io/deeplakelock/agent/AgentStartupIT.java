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
import java.util.ArrayList;
import java.util.List;
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

  /**
   * Issue 13: the agent must not make the JVM print a warning at start-up (appending the bridge to
   * the bootstrap class path made it print "Sharing is only supported for boot loader classes
   * because bootstrap classpath has been appended"), and class-data sharing must stay on for the
   * service's own classes: an AppCDS archive dumped without the agent, as a user would, still
   * serves the service's classes when the agent runs. On this JDK and on JDK 25 when present.
   *
   * <p>With such an archive JDK 25 prints three "[error][cds]" lines about {@code
   * jdk.module.addmods} (java.instrument, which {@code -javaagent} adds; the archive still serves
   * the classes): it does so for any agent, a no-op one too, so those lines are allowed there.
   */
  @Test
  void noJvmWarningLineAndTheServiceClassesStayShared() throws Exception {
    Path app = dir.resolve("hello-service.jar");
    String entry = HelloService.class.getName().replace('.', '/') + ".class";
    try (java.util.jar.JarOutputStream out =
            new java.util.jar.JarOutputStream(Files.newOutputStream(app));
        java.io.InputStream in = HelloService.class.getResourceAsStream("/" + entry)) {
      out.putNextEntry(new java.util.jar.JarEntry(entry));
      out.write(in.readAllBytes());
      out.closeEntry();
    }
    Path rules = dir.resolve("ok.yaml");
    Files.write(
        rules,
        ("zookeeper:\n  connect: 127.0.0.1:1\nrules:\n"
                + "  - {name: r, class: com.example.Absent, methods: [m], lock: write,"
                + " dataset: arg0}\n")
            .getBytes(StandardCharsets.UTF_8));
    List<String> javas = new ArrayList<>();
    javas.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    Path jdk25 = Paths.get("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
    if (Files.isExecutable(jdk25)) {
      javas.add(jdk25.toString());
    }
    for (int i = 0; i < javas.size(); i++) {
      String java = javas.get(i);
      // The JDK's own archive only (the default).
      ChildJvm.Finished plain = run(java, app, "-javaagent:" + AgentJar.path() + "=" + rules);
      assertEquals(0, plain.exit, java + ": " + plain);
      assertEquals("hello from the service\n", plain.stdout, java);
      assertNoJvmWarning(java, plain, false);
      Path archive = dir.resolve("app-" + i + ".jsa");
      ChildJvm.Finished dump = run(java, app, "-XX:ArchiveClassesAtExit=" + archive);
      assertEquals(0, dump.exit, dump.toString());
      assertTrue(Files.isRegularFile(archive), "no archive dumped: " + dump);
      Path classLog = dir.resolve("class-load-" + i + ".log");
      ChildJvm.Finished r =
          run(
              java,
              app,
              "-XX:SharedArchiveFile=" + archive,
              "-Xlog:class+load=info:file=" + classLog,
              "-javaagent:" + AgentJar.path() + "=" + rules);
      assertEquals(0, r.exit, java + ": " + r);
      assertTrue(r.stdout.endsWith("hello from the service\n"), java + ": " + r);
      assertTrue(r.stderr.contains("deeplake-lock "), java + ": " + r.stderr);
      assertNoJvmWarning(java, r, true);
      String loads = new String(Files.readAllBytes(classLog), StandardCharsets.UTF_8);
      assertTrue(
          loads.contains(HelloService.class.getName() + " source: shared objects file"),
          java + ": the service's class did not come from the CDS archive");
      assertTrue(
          loads.contains("io.deeplakelock.bridge.LockBridge source: __JVM_DefineClass__"),
          java + ": the bridge was not defined directly in the bootstrap loader");
    }
  }

  /** No line of the JVM's own warnings or errors, on stderr or stdout (unified logging's). */
  private static void assertNoJvmWarning(String java, ChildJvm.Finished r, boolean appCdsArchive) {
    for (String line : (r.stderr + "\n" + r.stdout).split("\n")) {
      if (appCdsArchive
          && line.contains("[cds]")
          && (line.contains("jdk.module.addmods")
              || line.contains("An error has occurred while processing the shared archive file")
              || line.contains("Disabling optimized module handling"))) {
        continue; // JDK 25, any -javaagent with an AppCDS archive dumped without one
      }
      boolean jvmWarning =
          line.contains("VM warning")
              || line.matches("^(\\[[^]]*\\])*\\[(warning|error) *\\].*")
              || line.startsWith("WARNING:");
      assertTrue(!jvmWarning, java + " printed a JVM warning at start-up: " + line);
    }
  }

  /** {@link HelloService} from {@code app} with class data sharing left on, as a user runs it. */
  private ChildJvm.Finished run(String java, Path app, String... jvmOptions)
      throws IOException, InterruptedException {
    return ChildJvm.named("service")
        .java(java)
        .keepClassDataSharing()
        .jvmOptions(jvmOptions)
        .classPath(app.toString())
        .main(HelloService.class)
        .stdoutTo(dir.resolve("out.txt"))
        .stderrTo(dir.resolve("err.txt"))
        .run(Duration.ofSeconds(60));
  }

  private ChildJvm.Finished runService(String agentArgument)
      throws IOException, InterruptedException {
    return runService(ChildJvm.JAVA, agentArgument);
  }

  private ChildJvm.Finished runService(String java, String agentArgument)
      throws IOException, InterruptedException {
    return ChildJvm.named("service")
        .java(java)
        .keepClassDataSharing()
        .agent(AgentJar.path(), agentArgument)
        .main(HelloService.class)
        .stdoutTo(dir.resolve("out.txt"))
        .stderrTo(dir.resolve("err.txt"))
        .run(Duration.ofSeconds(60));
  }
}
