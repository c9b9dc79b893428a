package io.deeplakelock.testapp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.testapp.demo.WorkloadJvm;
import io.deeplakelock.testapp.vthreads.VirtualThreadWorkload;
import io.deeplakelock.testsupport.AgentJar;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Guarded calls on JDK 25 virtual threads, measured with JFR's {@code jdk.VirtualThreadPinned}
 * (every pinning, threshold 0): the agent's own code outside {@code lock/} must never pin a carrier
 * thread. What {@code lock/} and Curator still pin is printed, with the run times of virtual and
 * platform threads. Skipped when no JDK 25 is found ({@code -Djdk25.home=...}).
 */
class VirtualThreadPinningIT extends ServiceJvmsFixture {
  private static final int TASKS = 2000;
  private static final int DATASETS = 4;

  /** A frame of the agent's own code outside lock/ (and outside its relocated libraries). */
  private static final Pattern AGENT_FRAME =
      Pattern.compile("io\\.deeplakelock\\.(?!lock\\.|shaded\\.|testapp\\.)");

  @Test
  void agentCodeOutsideLockNeverPinsAVirtualThread() throws Exception {
    Path jdk = Paths.get(System.getProperty("jdk25.home", "/usr/lib/jvm/temurin-25-jdk-amd64"));
    Assumptions.assumeTrue(Files.isRegularFile(jdk.resolve("bin/java")), "no JDK 25 at " + jdk);
    Path rules = dir.resolve("rules.yaml");
    Files.writeString(
        rules,
        String.join(
            "\n",
            "zookeeper:",
            "  connect: \"${DEEPLAKE_LOCK_ZK}\"",
            "locks:",
            "  root: /deeplake",
            "rules:",
            "  - name: store",
            "    class: " + VirtualThreadWorkload.Store.class.getName(),
            "    methods: [write]",
            "    lock: write",
            "    dataset: arg0",
            ""));

    Map<String, Object> platform = run(jdk, rules, "platform", null);
    Path recording = dir.resolve("virtual.jfr");
    Map<String, Object> virtual = run(jdk, rules, "virtual", recording);

    List<List<String>> events = pinnedEvents(jdk, recording);
    Map<String, long[]> byOrigin = new LinkedHashMap<>();
    List<List<String>> agentPinning = new ArrayList<>();
    for (List<String> event : events) {
      String origin = origin(event);
      long[] sum = byOrigin.computeIfAbsent(origin, k -> new long[2]);
      sum[0]++;
      sum[1] += durationMicros(event);
      if (origin.startsWith("agent")) {
        agentPinning.add(event);
      }
    }
    StringBuilder report = new StringBuilder();
    byOrigin.forEach(
        (origin, sum) ->
            report
                .append(
                    String.format(
                        "  %-40s %5d event(s), %8.1f ms", origin, sum[0], sum[1] / 1000.0))
                .append('\n'));
    System.out.println(
        "virtual threads, "
            + TASKS
            + " tasks on "
            + DATASETS
            + " datasets: platform (8 threads) "
            + platform.get("elapsedMs")
            + " ms, virtual "
            + virtual.get("elapsedMs")
            + " ms; jdk.VirtualThreadPinned by origin:\n"
            + report);
    assertEquals(0L, ((Number) virtual.get("failed")).longValue(), "failed calls: " + virtual);
    assertTrue(
        agentPinning.isEmpty(),
        agentPinning.size()
            + " pinning(s) in the agent's own code, e.g.:\n"
            + String.join("\n", agentPinning.isEmpty() ? List.of() : agentPinning.get(0)));
  }

  private Map<String, Object> run(Path jdk, Path rules, String threads, Path recording)
      throws Exception {
    List<String> flags = new ArrayList<>();
    flags.add("-javaagent:" + AgentJar.path() + "=" + rules);
    if (recording != null) {
      flags.add(
          "-XX:StartFlightRecording:filename="
              + recording
              + ",settings=none,+jdk.VirtualThreadPinned#enabled=true,"
              + "+jdk.VirtualThreadPinned#threshold=0ms,+jdk.VirtualThreadPinned#stackTrace=true");
    }
    WorkloadJvm child =
        jvms.startOn(
            jdk.resolve("bin/java").toString(),
            threads,
            flags,
            Map.of(),
            VirtualThreadWorkload.class.getName(),
            threads,
            Integer.toString(TASKS),
            Integer.toString(DATASETS));
    return ServiceJvms.awaitSuccess(child);
  }

  /** Each pinned event as its printed lines, from JDK 25's {@code jfr print}. */
  private List<List<String>> pinnedEvents(Path jdk, Path recording) throws Exception {
    Path text = Paths.get("target", "virtual-thread-pinning.txt").toAbsolutePath(); // kept
    Process print =
        new ProcessBuilder(
                jdk.resolve("bin/jfr").toString(),
                "print",
                "--stack-depth",
                "64",
                "--events",
                "jdk.VirtualThreadPinned",
                recording.toString())
            .redirectErrorStream(true)
            .redirectOutput(text.toFile())
            .start();
    assertTrue(print.waitFor(60, TimeUnit.SECONDS), "jfr print hung");
    List<List<String>> events = new ArrayList<>();
    List<String> current = null;
    for (String line : Files.readAllLines(text, StandardCharsets.UTF_8)) {
      if (line.startsWith("jdk.VirtualThreadPinned")) {
        current = new ArrayList<>();
        events.add(current);
      }
      if (current != null) {
        current.add(line);
      }
    }
    return events;
  }

  /** Where a pinning comes from: the topmost frame of the agent, its lock/ package or Curator. */
  private static String origin(List<String> event) {
    for (String line : event) {
      String frame = line.trim();
      if (!frame.contains(" line: ")) {
        continue; // not a stack frame (the reason may name a class)
      }
      if (AGENT_FRAME.matcher(frame).find()) {
        return "agent " + frame.replaceAll("\\s+line:.*", "");
      }
      if (frame.contains("io.deeplakelock.shaded.curator")
          || frame.contains("io.deeplakelock.shaded.zookeeper")) {
        return "curator/zookeeper " + frame.replaceAll("\\(.*", "");
      }
      if (frame.contains("io.deeplakelock.lock.")) {
        return "lock/ " + frame.replaceAll("\\(.*", "");
      }
    }
    return "other";
  }

  private static long durationMicros(List<String> event) {
    for (String line : event) {
      Matcher m = Pattern.compile("duration = ([\\d.]+) (ms|us|s|ns)").matcher(line);
      if (m.find()) {
        double v = Double.parseDouble(m.group(1));
        switch (m.group(2)) {
          case "s":
            return (long) (v * 1_000_000);
          case "ms":
            return (long) (v * 1000);
          case "us":
            return (long) v;
          default:
            return (long) (v / 1000);
        }
      }
    }
    return 0;
  }
}
