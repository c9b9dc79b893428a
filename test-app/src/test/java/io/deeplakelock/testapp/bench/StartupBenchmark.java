package io.deeplakelock.testapp.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;

/**
 * Start-up cost of the agent: JVM start to the first guarded call's return, for a service of
 * 10,000+ classes, without the agent and with one rule of each selector kind. Not a test: {@code
 * bin/bench-startup} runs it and it prints (and writes) a table of medians and minimums.
 *
 * <p>Runs are interleaved (one of each configuration per round, in a rotating order) after one
 * unmeasured warm-up round, so drift on the machine spreads over all configurations alike. Every
 * agent run must report that its call ran under the write lock, or the benchmark fails: a fast run
 * that guarded nothing measures nothing.
 */
public final class StartupBenchmark {

  private static final long RUN_TIMEOUT_SECONDS = 120;

  private StartupBenchmark() {}

  /** One way to start the service. */
  private static final class Config {
    final String label;
    final String selector; // rule lines selecting the dataset class, or null for no agent
    final List<Long> inApp = new ArrayList<>();
    final List<Long> cpu = new ArrayList<>();
    Path rules;

    Config(String label, String selector) {
      this.label = label;
      this.selector = selector;
    }
  }

  public static void main(String[] args) throws Exception {
    Path agent = Paths.get("agent/target/deeplake-lock.jar");
    Path out = Paths.get("test-app/target/bench-startup.txt");
    Path work = Paths.get("test-app/target/bench-startup");
    int runs = 7;
    int classes = 10_000;
    int packages = 100;
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : "";
      switch (value.isEmpty() ? "" : args[i]) {
        case "--agent" -> agent = Paths.get(value);
        case "--out" -> out = Paths.get(value);
        case "--work" -> work = Paths.get(value);
        case "--runs" -> runs = Integer.parseInt(value);
        case "--classes" -> classes = Integer.parseInt(value);
        case "--packages" -> packages = Integer.parseInt(value);
        default -> {
          System.err.println(
              "usage: StartupBenchmark [--agent JAR] [--out FILE] [--work DIR] [--runs N]"
                  + " [--classes N] [--packages N]");
          System.exit(2);
        }
      }
      i++;
    }
    if (!Files.isRegularFile(agent)) {
      throw new IllegalStateException("no agent jar at " + agent + "; build it first");
    }
    Files.createDirectories(work);
    // A private copy: every run uses the same agent even if a build replaces the jar meanwhile.
    Path agentCopy = work.resolve("deeplake-lock.jar");
    Files.copy(agent, agentCopy, StandardCopyOption.REPLACE_EXISTING);
    BenchApp app = new BenchApp(classes, packages);
    long t0 = System.nanoTime();
    System.err.println("bench-startup: preparing an app of " + app.loadedClasses() + " classes");
    Path jar = app.jar(work);
    System.err.printf(
        Locale.ROOT,
        "bench-startup: %s ready (%d ms)%n",
        jar,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));

    List<Config> configs =
        List.of(
            new Config("(1) no agent", null),
            new Config("(2) agent, exact class", "    class: " + BenchApp.DATASET_CLASS + "\n"),
            new Config("(3) agent, class glob", "    class: bench.app..*Dataset\n"),
            new Config(
                "(4) agent, subtypesOf", "    subtypesOf: " + BenchApp.STORE_INTERFACE + "\n"),
            new Config(
                "(5) agent, annotatedWith only",
                "    annotatedWith: " + BenchApp.GUARDED_ANNOTATION + "\n"),
            new Config(
                "(6) agent, exact class, audit", "    class: " + BenchApp.DATASET_CLASS + "\n"));

    try (TestingServer zooKeeper = new TestingServer()) {
      for (Config c : configs) {
        if (c.selector != null) {
          c.rules = work.resolve("rules-" + configs.indexOf(c) + ".yaml");
          Files.write(
              c.rules,
              (rules(zooKeeper.getConnectString(), c.selector)
                      // (6): the JDK's file classes are retransformed for the audit as well.
                      + (c.label.endsWith("audit") ? "audit:\n  mode: warn\n" : ""))
                  .getBytes(StandardCharsets.UTF_8));
        }
      }
      for (int round = -1; round < runs; round++) {
        for (int k = 0; k < configs.size(); k++) {
          Config c = configs.get((k + Math.max(round, 0)) % configs.size());
          long[] times = runOnce(agentCopy, jar, c, app.loadedClasses());
          if (round >= 0) {
            c.inApp.add(times[0]);
            c.cpu.add(times[1]);
          }
          System.err.printf(
              Locale.ROOT,
              "bench-startup: %s %-32s %5d ms (CPU %5d ms)%n",
              round < 0 ? "warm-up  " : "round " + (round + 1) + "/" + runs,
              c.label,
              times[0],
              times[1]);
        }
      }
    }

    String report = report(configs, runs, app.loadedClasses(), agent);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.write(out, report.getBytes(StandardCharsets.UTF_8));
    System.out.print(report);
    System.out.println("written to " + out);
  }

  private static String rules(String connect, String selector) {
    return "zookeeper:\n"
        + "  connect: \""
        + connect
        + "\"\n"
        + "locks:\n"
        + "  timeout: 60s\n"
        + "rules:\n"
        + "  - name: bench\n"
        + selector
        + (selector.contains("annotatedWith") ? "" : "    methods: [append]\n")
        + "    lock: write\n"
        + "    dataset: this.path\n";
  }

  /** Runs the app once; returns {ms since JVM start, CPU ms used}, both at the call's return. */
  private static long[] runOnce(Path agent, Path jar, Config c, int expectedClasses)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    if (c.rules != null) {
      cmd.add("-javaagent:" + agent.toAbsolutePath() + "=" + c.rules.toAbsolutePath());
    }
    cmd.add("-cp");
    cmd.add(jar.toAbsolutePath().toString());
    cmd.add(BenchApp.MAIN);
    ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true);
    builder.environment().remove("DEEPLAKE_LOCK_LOG");
    Process process = builder.start();
    String result = null;
    List<String> other = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.startsWith("BENCH ")) {
          result = line;
        } else {
          other.add(line);
        }
      }
    }
    if (!process.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(c.label + ": the app did not exit; output: " + other);
    }
    String expectedHeld = c.rules == null ? "unlocked" : "WRITE";
    String prefix = "BENCH loaded=" + expectedClasses + " held=" + expectedHeld + " elapsed_ms=";
    int cpuAt = result == null ? -1 : result.indexOf(" cpu_ms=");
    if (result == null || process.exitValue() != 0 || !result.startsWith(prefix) || cpuAt < 0) {
      throw new IllegalStateException(
          c.label
              + ": expected '"
              + prefix
              + "...', got '"
              + result
              + "', exit "
              + process.exitValue()
              + "; other output: "
              + other);
    }
    return new long[] {
      Long.parseLong(result.substring(prefix.length(), cpuAt)),
      Long.parseLong(result.substring(cpuAt + " cpu_ms=".length()))
    };
  }

  private static String report(List<Config> configs, int runs, int classes, Path agent) {
    StringBuilder out = new StringBuilder();
    out.append("deeplake-lock start-up cost: JVM start -> first guarded call returns\n");
    out.append(
        String.format(
            Locale.ROOT,
            "app: %,d classes loaded and initialised (Class.forName), one jar; %d runs per"
                + " configuration, interleaved, after one warm-up round%n",
            classes,
            runs));
    out.append(
        String.format(
            Locale.ROOT,
            "JDK %s, %d cores; agent %s; ZooKeeper: curator-test TestingServer on loopback%n",
            System.getProperty("java.version"),
            Runtime.getRuntime().availableProcessors(),
            agent));
    out.append(
        String.format(
            Locale.ROOT,
            "%-32s %9s %7s %6s %12s %6s%n",
            "configuration",
            "median ms",
            "min ms",
            "ratio",
            "median CPU ms",
            "ratio"));
    double base = median(configs.get(0).inApp);
    double baseCpu = median(configs.get(0).cpu);
    for (Config c : configs) {
      double median = median(c.inApp);
      double cpu = median(c.cpu);
      out.append(
          String.format(
              Locale.ROOT,
              "%-32s %9.0f %7d %6.2f %12.0f %6.2f%n",
              c.label,
              median,
              Collections.min(c.inApp),
              median / base,
              cpu,
              cpu / baseCpu));
    }
    out.append(
        "ms: JVM start (RuntimeMXBean start time) to the guarded call's return, measured in the"
            + " app;\nCPU ms: CPU time of the whole process (all threads) at that point; ratio: to"
            + " the median of (1).\n");
    for (Config c : configs) {
      out.append(String.format(Locale.ROOT, "ms  %-30s %s%n", c.label, c.inApp));
    }
    for (Config c : configs) {
      out.append(String.format(Locale.ROOT, "CPU %-30s %s%n", c.label, c.cpu));
    }
    return out.toString();
  }

  private static double median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
  }
}
