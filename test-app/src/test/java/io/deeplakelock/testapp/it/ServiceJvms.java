package io.deeplakelock.testapp.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.testapp.demo.WorkloadJvm;
import io.deeplakelock.testapp.service.DatasetService;
import io.deeplakelock.testsupport.AgentJar;
import io.deeplakelock.testsupport.BridgeProbe;
import io.deeplakelock.testsupport.ChildJvm;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@link DatasetService} workloads in child JVMs, with the built agent and a rules file or
 * without any agent, and stops whatever is still running when the test ends.
 */
final class ServiceJvms implements AutoCloseable {
  static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  static final Duration EXIT_TIMEOUT = Duration.ofSeconds(120);

  /** Small heap, one GC thread, C1 only: several JVMs share two cores. No CDS: see below. */
  private static final List<String> JVM_OPTIONS =
      Arrays.asList(
          // The agent appends to the bootstrap class path, which makes a CDS-enabled JVM print a
          // notice; without CDS there is none.
          "-Xshare:off",
          "-Xmx128m",
          "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1",
          "-XX:-UsePerfData");

  private static final int LOG_LINES = 30;

  private final String zooKeeper;
  private final Path dir;
  private final String classpath;
  private final List<WorkloadJvm> started = new ArrayList<>();

  /**
   * @param zooKeeper the connect string children get as {@code DEEPLAKE_LOCK_ZK}
   * @param dir the children's working directory; their logs go to {@code dir/logs}
   */
  ServiceJvms(String zooKeeper, Path dir) throws IOException {
    this.zooKeeper = zooKeeper;
    this.dir = dir;
    this.classpath = classpath();
    Files.createDirectories(dir.resolve("logs"));
  }

  /** Starts a workload under the agent with {@code rules}; without any agent when it is null. */
  WorkloadJvm start(String name, Path rules, String... workload) throws IOException {
    return startMain(name, rules, Collections.emptyMap(), DatasetService.class.getName(), workload);
  }

  /**
   * Starts {@code mainClass} (of the test-app or its test classes) under the agent with {@code
   * rules}, with {@code environment} added to {@code DEEPLAKE_LOCK_ZK}.
   */
  WorkloadJvm startMain(
      String name, Path rules, Map<String, String> environment, String mainClass, String... args)
      throws IOException {
    List<String> agents =
        rules == null
            ? Collections.<String>emptyList()
            : Collections.singletonList(
                "-javaagent:" + AgentJar.path() + "=" + rules.toAbsolutePath());
    return startOn(ChildJvm.JAVA, name, agents, environment, mainClass, args);
  }

  /**
   * Starts {@code mainClass} on {@code javaLauncher} with {@code jvmFlags} (agents, in their order)
   * and no others.
   */
  WorkloadJvm startOn(
      String javaLauncher,
      String name,
      List<String> jvmFlags,
      Map<String, String> environment,
      String mainClass,
      String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(javaLauncher);
    command.addAll(JVM_OPTIONS);
    command.addAll(jvmFlags);
    command.add("-cp");
    command.add(
        String.join(
            File.pathSeparator,
            classpath,
            Paths.get("target", "test-classes").toAbsolutePath().toString(),
            ChildJvm.classPathEntryOf(BridgeProbe.class).toString()));
    command.add(mainClass);
    command.addAll(Arrays.asList(args));
    Map<String, String> env = new HashMap<>(environment);
    env.put("DEEPLAKE_LOCK_ZK", zooKeeper);
    WorkloadJvm child =
        WorkloadJvm.start(name, command, env, dir, dir.resolve("logs").resolve(name + ".log"));
    started.add(child);
    return child;
  }

  /** Starts a workload and waits for its {@code READY} line. */
  WorkloadJvm startReady(String name, Path rules, String... workload)
      throws IOException, InterruptedException {
    WorkloadJvm child = start(name, rules, workload);
    awaitReady(child);
    return child;
  }

  /** Waits for the child's {@code READY} line, failing with its log when it does not come. */
  static void awaitReady(WorkloadJvm child) throws InterruptedException {
    if (!child.awaitReady(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      throw new AssertionError(child.name() + " never printed READY" + describe(child));
    }
  }

  /** Waits for the child to exit with status 0 and returns its JSON summary. */
  static Map<String, Object> awaitSuccess(WorkloadJvm child) throws InterruptedException {
    int status = child.awaitExit(EXIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (status != 0) {
      throw new AssertionError(child.name() + " exited with status " + status + describe(child));
    }
    Map<String, Object> summary = child.summary();
    if (summary == null) {
      throw new AssertionError(child.name() + " printed no JSON summary" + describe(child));
    }
    return summary;
  }

  /**
   * Polls for the child's JSON summary for at most {@code timeout}.
   *
   * @return the summary, or null when none came in time
   */
  static Map<String, Object> awaitSummary(WorkloadJvm child, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Map<String, Object> summary = child.summary();
      if (summary != null || System.nanoTime() - deadline > 0) {
        return summary;
      }
      Thread.sleep(20); // bounded polling of the child's output
    }
  }

  /** The child's standard error so far, for assertion messages. */
  static String describe(WorkloadJvm child) {
    return "; its stderr ends:\n  " + String.join("\n  ", child.logTail(LOG_LINES));
  }

  /** Touches a signal file (a go or release file) the children poll for. */
  static void signal(Path file) throws IOException {
    Files.createFile(file);
  }

  /** Kills every child still running. */
  @Override
  public void close() {
    for (WorkloadJvm child : started) {
      child.destroy();
    }
    for (WorkloadJvm child : started) {
      try {
        child.process().waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** The test-app jar and its runtime class path, as {@code bin/demo} gives them to children. */
  private static String classpath() throws IOException {
    Path jar = Paths.get("target", "test-app.jar").toAbsolutePath();
    Path list = Paths.get("target", "classpath.txt").toAbsolutePath();
    assertTrue(
        Files.isRegularFile(jar) && Files.isRegularFile(list),
        jar + " or " + list + " is missing: run the integration tests through mvn verify");
    String dependencies = new String(Files.readAllBytes(list), StandardCharsets.UTF_8).trim();
    return dependencies.isEmpty() ? jar.toString() : jar + File.pathSeparator + dependencies;
  }
}
