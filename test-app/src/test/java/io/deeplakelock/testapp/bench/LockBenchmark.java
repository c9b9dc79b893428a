package io.deeplakelock.testapp.bench;

import io.deeplakelock.testapp.demo.LocalZooKeeper;
import io.deeplakelock.testsupport.ChildJvm;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Lock cost of the agent beside hand-written Curator locking, in one run against one ZooKeeper
 * server: the same workload ({@link LockBenchApp}) unguarded, under the agent (coalescing, 20 ms
 * linger), locked by hand with Curator's {@code InterProcessReadWriteLock}, and under the agent
 * with coalescing and lingering off. Not a test: {@code bin/bench-locks} runs it.
 *
 * <p>Each variant has three long-lived worker JVMs ({@link BenchWorker}) per run, so start-up and
 * the agent's one-time costs are not measured. A cell runs on the first {@code jvms} of them: the
 * coordinator arms them all, then releases them together with one warm-up end and one deadline in
 * {@link System#nanoTime()} (one clock for all processes of a Linux host), and reads the server's
 * zxid and request count, and the CPU time of the cell's workers and of the server, at both
 * instants. Cells are interleaved across variants (each cell runs on every variant back to back) so
 * drift on the machine hits all variants alike. The variants' order is shuffled for every cell of
 * every run (seeded by run and cell, so a rerun repeats it): with a rotating order each variant
 * always ran right after the same other one, and the default always followed the unguarded control,
 * whose three CPU-bound JVMs slow whatever comes next.
 */
public final class LockBenchmark {

  private static final List<String> WORKER_JVM_OPTIONS =
      List.of("-Xms256m", "-Xmx256m", "-XX:+UseSerialGC");
  private static final int SESSION_TIMEOUT_MILLIS = 10_000;
  private static final int DATASETS = 100;
  private static final long READY_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(180);
  private static final long ARMED_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

  /** After the deadline: a queued lock may take its whole timeout (60 s) before the call ends. */
  private static final long DRAIN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(90);

  private static final String USAGE =
      "usage: LockBenchmark [--quick] [--runs N] [--out FILE] [--agent JAR] [--work DIR]"
          + " [--warmup-ms N] [--measure-ms N] [--work-us N] [--record N]"
          + " [--jit-warmup-rounds N]";

  private final Options options;
  private final String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
  private final String classpath = absoluteClassPath();

  /** Variants that cannot run: why, then the lines of their stderr that say more. */
  private final Map<Variant, List<String>> unavailable = new EnumMap<>(Variant.class);

  private final List<String> notes = new ArrayList<>();

  /** Per variant, what each run's JIT warm-up needed ({@link #warmUpJit}), for the notes. */
  private final Map<Variant, List<String>> jitWarmups = new EnumMap<>(Variant.class);

  private final Map<Variant, Path> rules = new EnumMap<>(Variant.class);
  private volatile LocalZooKeeper zooKeeper;
  private Path agentCopy;
  private int iterations;
  private String agentBanner;

  private LockBenchmark(Options options) {
    this.options = options;
  }

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("bench-locks: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    new LockBenchmark(options).run();
    System.exit(0);
  }

  private void run() throws IOException, InterruptedException {
    long started = System.nanoTime();
    Files.createDirectories(options.work);
    String noAgent;
    if (Files.isRegularFile(options.agent)) {
      // A private copy: every run uses the same agent even if a build replaces the jar meanwhile.
      agentCopy = options.work.resolve("deeplake-lock.jar");
      noAgent = copyWhenComplete(options.agent, agentCopy);
    } else {
      noAgent = "no agent jar at " + options.agent;
    }
    if (noAgent != null) {
      for (Variant v : Variant.values()) {
        if (v.underAgent) {
          unavailable.put(v, List.of(noAgent));
        }
      }
    }
    iterations = LockBenchApp.calibrate(options.workNanos);
    log(
        "%d cells x %d variants x %d runs, %.1f s + %.1f s each: about %d min",
        options.cells.size(),
        Variant.values().length,
        options.runs,
        options.warmupNanos / 1e9,
        options.measureNanos / 1e9,
        Math.round(
            options.cells.size()
                    * Variant.values().length
                    * options.runs
                    * ((options.warmupNanos + options.measureNanos) / 1e9 + 0.2)
                    / 60
                + options.runs * 0.4
                // the JIT warm-up: about 24 rounds per variant and run until the JIT quiets
                + options.runs
                    * Variant.values().length
                    * Math.min(options.jitWarmupRounds, 24)
                    * ((options.warmupNanos + options.measureNanos) / 1e9 + 0.2)
                    / 60));
    Runtime.getRuntime().addShutdownHook(new Thread(this::killChildren, "bench-locks-cleanup"));
    Path zkDir = options.work.resolve("zookeeper");
    deleteTree(zkDir); // a fresh server: no nodes or sessions of an earlier benchmark
    BenchmarkReport table = new BenchmarkReport(options.cells);
    List<String> header;
    try (LocalZooKeeper server = startZooKeeper(zkDir)) {
      zooKeeper = server;
      log("ZooKeeper %s on %s (fsync on)", server.version(), server.connectString());
      writeRules(server.connectString());
      for (int run = 0; run < options.runs; run++) {
        runOnce(run, table, started);
      }
      header = header(server);
    } finally {
      zooKeeper = null;
    }
    unavailable.forEach(
        (v, why) -> {
          notes.add(v.label + " did not run: " + why.get(0));
          why.subList(1, why.size()).forEach(line -> notes.add("  | " + line));
        });
    jitWarmups.forEach(
        (v, runs) -> {
          notes.add("JIT warm-up of " + v.label + " before the first cell:");
          runs.forEach(line -> notes.add("  " + line));
        });
    String report = table.render(header, notes);
    report +=
        String.format(
            Locale.ROOT,
            "%nwall time %.1f min; workers' stderr and rules files in %s%n",
            (System.nanoTime() - started) / 60e9,
            options.work);
    Path out = options.out.toAbsolutePath();
    Files.createDirectories(out.getParent());
    Files.write(out, report.getBytes(StandardCharsets.UTF_8));
    System.out.print(report);
    System.out.println("written to " + options.out);
  }

  private LocalZooKeeper startZooKeeper(Path dir) throws IOException, InterruptedException {
    try {
      return LocalZooKeeper.start(dir, java, classpath, true);
    } catch (RuntimeException e) {
      throw new IOException(
          "ZooKeeper did not start: " + e.getMessage() + "; its log: " + dir.resolve("server.log"),
          e);
    }
  }

  /**
   * Copies the agent jar once it is whole (a build may be writing it right now: a copy taken then
   * has no manifest); returns null, or why there is no usable jar after two minutes.
   */
  private static String copyWhenComplete(Path jar, Path copy) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    boolean told = false;
    while (true) {
      FileTime modified = Files.getLastModifiedTime(jar);
      Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING);
      String problem;
      try (JarFile copied = new JarFile(copy.toFile())) {
        Manifest manifest = copied.getManifest();
        problem =
            manifest != null && manifest.getMainAttributes().getValue("Premain-Class") != null
                ? null
                : "it has no Premain-Class";
      } catch (IOException e) {
        problem = "it is not a complete jar (" + e.getMessage() + ")";
      }
      if (problem == null && modified.equals(Files.getLastModifiedTime(jar))) {
        return null;
      }
      if (System.nanoTime() - deadline > 0) {
        return jar + " is not usable: " + problem;
      }
      if (!told) {
        log("%s is being rebuilt (%s); waiting up to 2 min for it", jar, problem);
        told = true;
      }
      LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
    }
  }

  /** One run: fresh workers for every available variant, then every cell on each of them. */
  private void runOnce(int run, BenchmarkReport table, long started)
      throws IOException, InterruptedException {
    Path runDir = Files.createDirectories(options.work.resolve("run-" + (run + 1)));
    Map<Variant, WorkerGroup> groups = startWorkers(runDir);
    try {
      warmUpJit(run, groups);
      for (int c = 0; c < options.cells.size(); c++) {
        Cell cell = options.cells.get(c);
        List<Variant> variants = new ArrayList<>(List.of(Variant.values()));
        Collections.shuffle(variants, new Random(1_000_003L * run + c));
        for (Variant variant : variants) {
          CellResult result = runCell(cell, variant, groups.get(variant));
          table.add(cell, variant, result);
          progress(run, c, cell, variant, result, started);
        }
      }
    } finally {
      for (WorkerGroup group : groups.values()) {
        group.close();
      }
    }
  }

  /**
   * Starts every available variant's workers at once and waits until each is READY. A variant whose
   * workers fail here (most likely: the agent refused its rules file) is unavailable from now on,
   * and the benchmark carries on with the others.
   */
  private Map<Variant, WorkerGroup> startWorkers(Path runDir)
      throws IOException, InterruptedException {
    int perVariant = options.cells.stream().mapToInt(Cell::jvms).max().orElse(1);
    Map<Variant, WorkerGroup> groups = new EnumMap<>(Variant.class);
    for (Variant v : Variant.values()) {
      if (unavailable.containsKey(v)) {
        continue;
      }
      List<WorkerProcess> workers = new ArrayList<>();
      List<Path> intervals = new ArrayList<>();
      for (int i = 1; i <= perVariant; i++) {
        String name = v.label + "-" + i;
        Path file = runDir.resolve(name + ".intervals");
        intervals.add(file);
        workers.add(
            WorkerProcess.start(worker(v, name, file).stderrTo(runDir.resolve(name + ".stderr"))));
      }
      groups.put(v, new WorkerGroup(v, workers, intervals));
    }
    long deadline = System.nanoTime() + READY_TIMEOUT_NANOS;
    for (WorkerGroup group : new ArrayList<>(groups.values())) {
      Variant v = group.variant();
      try {
        for (WorkerProcess worker : group.workers()) {
          String ready = worker.await("READY", Math.max(0, deadline - System.nanoTime()));
          String expected =
              v.underAgent
                  ? "read=READ write=WRITE errors=0"
                  : "read=unlocked write=unlocked errors=0";
          if (!ready.equals("READY " + expected)) {
            throw new WorkerFailure(
                worker.name() + " warmed up with '" + ready + "', expected '" + expected + "'",
                worker.stderrTail(15));
          }
        }
        if (v.underAgent && agentBanner == null) {
          agentBanner = agentBanner(group.workers().get(0));
        }
      } catch (WorkerFailure e) {
        String reason = e.getMessage();
        List<String> tail = e.stderrTail();
        // The agent reports a refused rules file as file:line:col lines.
        List<String> why = new ArrayList<>();
        why.add(reason);
        tail.stream().filter(line -> line.contains(".yaml:")).forEach(why::add);
        if (why.size() == 1 && !tail.isEmpty()) {
          why.add(tail.get(tail.size() - 1));
        }
        unavailable.put(v, why);
        System.err.println(
            "bench-locks: variant " + v.label + " is unavailable; carrying on without it:");
        System.err.println("  " + reason);
        tail.forEach(line -> System.err.println("  | " + line));
        group.close();
        groups.remove(v);
      }
    }
    return groups;
  }

  /**
   * Before a run's first cell, runs each variant's workers (all of them, one variant at a time) in
   * unmeasured rounds of three shapes in turn (50/50 with 4 threads on 100 datasets and on one,
   * read-only with 16 threads on one), until three rounds in a row find every JVM's JIT compiler
   * busy less than {@link JitTime#QUIET_SHARE} of the round, or {@code --jit-warmup-rounds} have
   * run. A worker's own warm-up (one thread, one second) compiles little of the paths the cells
   * take: queueing behind other processes, hand-offs, many threads. Without this the first cells of
   * a run measured the JIT compiling the lock code, and the variant with the most code to compile
   * paid most for it. What each variant needed goes in the report's notes: it is a one-time cost a
   * service pays as its load starts.
   */
  private void warmUpJit(int run, Map<Variant, WorkerGroup> groups) throws InterruptedException {
    if (options.jitWarmupRounds == 0) {
      return;
    }
    for (Map.Entry<Variant, WorkerGroup> e : groups.entrySet()) {
      Variant v = e.getKey();
      int jvms = e.getValue().workers().size();
      List<Cell> shapes =
          List.of(
              new Cell(50, 4, jvms, DATASETS), new Cell(50, 4, jvms, 1), new Cell(0, 16, jvms, 1));
      List<String> shares = new ArrayList<>();
      int quietInARow = 0;
      int round = 0;
      while (round < options.jitWarmupRounds && quietInARow < shapes.size()) {
        CellResult r = runCell(shapes.get(round % shapes.size()), v, e.getValue());
        round++;
        if (!r.ok()) {
          shares.add("failed: " + r.failure());
          break;
        }
        shares.add(String.format(Locale.ROOT, "%.1f%%", 100 * r.jitBusiest()));
        quietInARow = JitTime.quiet(r.jitBusiest()) ? quietInARow + 1 : 0;
      }
      String outcome = quietInARow >= shapes.size() ? "quiet" : "NOT quiet";
      log(
          "run %d JIT warm-up %-12s %s after %d round(s): %s",
          run + 1, v.label, outcome, round, String.join(" ", shares));
      jitWarmups
          .computeIfAbsent(v, k -> new ArrayList<>())
          .add(
              String.format(
                  Locale.ROOT,
                  "run %d: %s after %d round(s) (busiest JIT per round: %s)",
                  run + 1,
                  outcome,
                  round,
                  String.join(" ", shares)));
    }
  }

  private ChildJvm.Builder worker(Variant v, String name, Path intervals) {
    ChildJvm.Builder worker =
        ChildJvm.named(name).java(java).keepClassDataSharing().jvmOptions(WORKER_JVM_OPTIONS);
    if (v.underAgent) {
      worker.agent(agentCopy.toAbsolutePath(), rules.get(v).toAbsolutePath());
    }
    return worker
        .classPath(classpath)
        .main(
            BenchWorker.class,
            "--name",
            name,
            "--calls",
            v == Variant.CURATOR ? "curator" : "direct",
            "--connect",
            zooKeeper.connectString(),
            "--sessionTimeoutMillis",
            String.valueOf(SESSION_TIMEOUT_MILLIS),
            "--root",
            String.valueOf(v.lockRoot),
            "--iterations",
            String.valueOf(iterations),
            "--datasets",
            String.valueOf(DATASETS),
            "--intervals",
            intervals.toAbsolutePath().toString());
  }

  /** Runs {@code cell} once on {@code variant}'s workers; a failure is the cell's result. */
  private CellResult runCell(Cell cell, Variant variant, WorkerGroup group)
      throws InterruptedException {
    if (group == null) {
      return CellResult.failed(CellResult.UNAVAILABLE);
    }
    if (group.broken() != null) {
      return CellResult.failed(group.broken());
    }
    try {
      return measure(cell, group);
    } catch (WorkerFailure e) {
      System.err.println("bench-locks: " + variant.label + " failed in " + cell.label() + ":");
      System.err.println("  " + e.getMessage());
      e.stderrTail().forEach(line -> System.err.println("  | " + line));
      group.breakWith("a worker failed earlier in the run: " + e.getMessage());
      group.close();
      return CellResult.failed(e.getMessage());
    } catch (IOException e) {
      group.breakWith("the coordinator failed earlier in the run: " + e);
      group.close();
      return CellResult.failed(e.toString());
    }
  }

  private CellResult measure(Cell cell, WorkerGroup group)
      throws WorkerFailure, InterruptedException, IOException {
    List<WorkerProcess> workers = group.workers().subList(0, cell.jvms());
    int record = cell.hasWriters() ? options.recordCapacity : 0;
    String command =
        String.format(
            Locale.ROOT,
            "CELL writes=%d threads=%d datasets=%d record=%d",
            cell.writePercent(),
            cell.threads(),
            cell.datasets(),
            record);
    workers.forEach(w -> w.send(command));
    for (WorkerProcess w : workers) {
      w.await("ARMED", ARMED_TIMEOUT_NANOS);
    }
    // The barrier: every JVM's threads already wait; they all get the same instants.
    long measureStart = System.nanoTime() + options.warmupNanos;
    long deadline = measureStart + options.measureNanos;
    workers.forEach(w -> w.send("GO " + measureStart + " " + deadline));
    List<Process> workerProcesses = new ArrayList<>();
    workers.forEach(w -> workerProcesses.add(w.process()));
    List<Process> server = List.of(zooKeeper.process());
    parkUntil(measureStart);
    LocalZooKeeper.Counters serverBefore = zooKeeper.counters();
    long workersCpuBefore = CpuTime.of(workerProcesses);
    long serverCpuBefore = CpuTime.of(server);
    parkUntil(deadline);
    LocalZooKeeper.Counters serverAfter = zooKeeper.counters();
    long workersCpuAfter = CpuTime.of(workerProcesses);
    long serverCpuAfter = CpuTime.of(server);
    List<WorkerReport> reports = new ArrayList<>();
    for (WorkerProcess w : workers) {
      String done = w.await("DONE", DRAIN_TIMEOUT_NANOS);
      try {
        reports.add(WorkerReport.parse(done));
      } catch (IllegalArgumentException e) {
        throw new WorkerFailure(w.name() + ": " + e.getMessage(), w.stderrTail(15));
      }
    }

    long ops = 0;
    long callNanos = 0;
    long errors = 0;
    long completeBefore = deadline;
    long fewest = Long.MAX_VALUE;
    long most = 0;
    Histogram acquire = new Histogram();
    long[] jit = reports.stream().mapToLong(WorkerReport::jitMillis).toArray();
    for (WorkerReport r : reports) {
      fewest = Math.min(fewest, r.ops());
      most = Math.max(most, r.ops());
      ops += r.ops();
      callNanos += r.callNanos();
      errors += r.errors();
      completeBefore = Math.min(completeBefore, r.completeBefore());
      acquire.add(r.acquire());
    }
    ExclusionCheck.Result exclusion = new ExclusionCheck.Result(0, 0, 0, new long[0]);
    if (record > 0) {
      List<BodyInterval> bodies = new ArrayList<>();
      for (int i = 0; i < workers.size(); i++) {
        bodies.addAll(IntervalFile.read(group.intervals(i), i, measureStart, completeBefore));
      }
      exclusion = ExclusionCheck.check(bodies);
    }
    long[] handoffs = exclusion.handoffs();
    boolean handoffsApply = cell.handsOff() && handoffs.length > 0;
    return new CellResult(
        ops / (options.measureNanos / 1e9),
        ops == 0 ? Double.NaN : (double) callNanos / ops,
        ops == 0 ? Double.NaN : acquire.percentile(50),
        ops == 0 ? Double.NaN : acquire.percentile(99),
        ops == 0 ? Double.NaN : (double) (serverAfter.lastZxid - serverBefore.lastZxid) / ops,
        ops == 0 ? Double.NaN : (double) (serverAfter.received - serverBefore.received) / ops,
        CpuTime.perCall(workersCpuBefore, workersCpuAfter, ops),
        CpuTime.perCall(serverCpuBefore, serverCpuAfter, ops),
        JitTime.busiestShare(jit, options.measureNanos),
        handoffsApply ? Percentiles.of(handoffs, 50) : Double.NaN,
        handoffsApply ? Percentiles.of(handoffs, 99) : Double.NaN,
        handoffs.length,
        exclusion.overlappingWrites(),
        exclusion.writes(),
        reports.size() > 1 && most > 0 ? (double) fewest / most : Double.NaN,
        errors,
        null);
  }

  /** Waits for an instant of {@link System#nanoTime()}: a deadline loop, not a sleep. */
  static void parkUntil(long instant) {
    for (long left = instant - System.nanoTime(); left > 0; left = instant - System.nanoTime()) {
      LockSupport.parkNanos(left);
    }
  }

  private void writeRules(String connect) throws IOException {
    for (Variant v : Variant.values()) {
      if (!v.underAgent) {
        continue;
      }
      String text =
          "# bench-locks: the rules of variant "
              + v.label
              + "\n"
              + "zookeeper:\n"
              + "  connect: \""
              + connect
              + "\"\n"
              + "  sessionTimeout: "
              + SESSION_TIMEOUT_MILLIS / 1000
              + "s\n"
              + "locks:\n"
              + "  root: "
              + v.lockRoot
              + "\n"
              + "  timeout: "
              + CuratorCalls.ACQUIRE_TIMEOUT_SECONDS
              + "s\n"
              + v.extraLockSettings
              + "rules:\n"
              + rule("bench-read", "read")
              + rule("bench-write", "write");
      Path file = options.work.resolve("rules-" + v.label + ".yaml");
      Files.write(file, text.getBytes(StandardCharsets.UTF_8));
      rules.put(v, file);
    }
  }

  private static String rule(String name, String method) {
    return "  - name: "
        + name
        + "\n"
        + "    class: "
        + LockBenchApp.class.getName()
        + "\n"
        + "    methods: ["
        + method
        + "]\n"
        + "    lock: "
        + method
        + "\n"
        + "    dataset: arg0\n";
  }

  private List<String> header(LocalZooKeeper server) {
    List<String> lines = new ArrayList<>();
    lines.add(
        "deeplake-lock lock benchmark: the agent beside hand-written Curator locking, side by side"
            + (options.quick ? " (--quick)" : ""));
    lines.add(
        String.format(
            Locale.ROOT,
            "machine: %d cores, %s %s %s; JDK %s (%s); worker JVMs %s",
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("os.name"),
            System.getProperty("os.version"),
            System.getProperty("os.arch"),
            System.getProperty("java.version"),
            System.getProperty("java.vm.name"),
            String.join(" ", WORKER_JVM_OPTIONS)));
    lines.add(
        "ZooKeeper "
            + server.version()
            + ": one standalone server (own JVM) on "
            + server.connectString()
            + " for all variants; fsync ON (forceSync left at its default, yes); zoo.cfg: "
            + server.settings().stream()
                .filter(s -> !s.startsWith("dataDir=") && !s.startsWith("clientPort="))
                .collect(Collectors.joining(" "))
            + ", the rest default");
    lines.add(
        "variants: unguarded = no lock; default = -javaagent, no tuning keys (coalesce true,"
            + " linger unset: adaptive); linger-20ms = -javaagent, locks.linger 20ms; curator ="
            + " Curator "
            + curatorVersion()
            + " InterProcessReadWriteLock by hand (one per dataset path per JVM, shared by its"
            + " threads, own client per JVM); agent-plain = -javaagent, coalesce: false");
    lines.add(
        "  every lock: session timeout "
            + SESSION_TIMEOUT_MILLIS / 1000
            + " s, acquire timeout "
            + CuratorCalls.ACQUIRE_TIMEOUT_SECONDS
            + " s, own lock root per variant (/bench-default, /bench-linger, /bench-curator,"
            + " /bench-agent-plain)");
    if (agentCopy != null) {
      lines.add(
          "  agent jar "
              + options.agent
              + " ("
              + jarFacts(options.agent)
              + ")"
              + (agentBanner != null ? "; it said: " + agentBanner : ""));
    }
    lines.add(
        String.format(
            Locale.ROOT,
            "workload: read(dataset) / write(dataset) of %d hash iterations = %.1f us of CPU"
                + " (calibrated); threads pick one of the cell's datasets uniformly per call",
            iterations,
            options.workNanos / 1e3));
    lines.add(
        String.format(
            Locale.ROOT,
            "per cell: %.1f s warm-up + %.1f s measured (the calls that return in it), the cell's"
                + " JVMs start together and stop at one deadline; %d run(s), 3 worker JVMs per"
                + " variant and run; cells interleaved across variants; figures are medians over"
                + " runs",
            options.warmupNanos / 1e9,
            options.measureNanos / 1e9,
            options.runs));
    return lines;
  }

  /** The agent's one start-up line on a worker's stderr, if it printed one. */
  private static String agentBanner(WorkerProcess worker) {
    return worker.stderrTail(200).stream()
        .filter(line -> line.contains("deeplake-lock") && line.contains("rules"))
        .findFirst()
        .map(String::trim)
        .orElse(null);
  }

  private static String jarFacts(Path jar) {
    try {
      return String.format(
          Locale.ROOT,
          "%,d bytes, built %s",
          Files.size(jar),
          DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
              .withZone(ZoneId.systemDefault())
              .format(Instant.ofEpochMilli(Files.getLastModifiedTime(jar).toMillis())));
    } catch (IOException e) {
      return e.toString();
    }
  }

  private String curatorVersion() {
    for (String entry : classpath.split(File.pathSeparator)) {
      String file = Paths.get(entry).getFileName().toString();
      if (file.startsWith("curator-recipes-") && file.endsWith(".jar")) {
        return file.substring("curator-recipes-".length(), file.length() - ".jar".length());
      }
    }
    return "?";
  }

  private void progress(
      int run, int c, Cell cell, Variant variant, CellResult result, long started) {
    String figures =
        result.ok()
            ? String.format(
                Locale.ROOT,
                "%,12.0f calls/s  acquire p50 %8s us  zk %.2f/call%s",
                result.opsPerSecond(),
                BenchmarkReport.micros(result.acquireP50()),
                result.zkWritesPerCall(),
                result.errors() > 0 ? "  " + result.errors() + " FAILED CALLS" : "")
            : "n/a: " + result.failure();
    log(
        "run %d/%d cell %2d/%d %s %-12s %s  [%.0f s]",
        run + 1,
        options.runs,
        c + 1,
        options.cells.size(),
        cell.label(),
        variant.label,
        figures,
        (System.nanoTime() - started) / 1e9);
  }

  private static void log(String format, Object... args) {
    System.err.println("bench-locks: " + String.format(Locale.ROOT, format, args));
  }

  private void killChildren() {
    WorkerProcess.killAll();
    LocalZooKeeper server = zooKeeper;
    if (server != null) {
      server.close();
    }
  }

  private static String absoluteClassPath() {
    return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
        .map(entry -> Paths.get(entry).toAbsolutePath().toString())
        .collect(Collectors.joining(File.pathSeparator));
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    List<Path> all;
    try (Stream<Path> walk = Files.walk(dir)) {
      all = walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList());
    }
    for (Path p : all) {
      Files.delete(p);
    }
  }

  /** The command line. */
  private static final class Options {
    boolean quick;
    int runs = 3;
    Path out = Paths.get("test-app/target/bench-locks.txt");
    Path agent = Paths.get("agent/target/deeplake-lock.jar");
    Path work = Paths.get("test-app/target/bench-locks");
    long warmupNanos = TimeUnit.MILLISECONDS.toNanos(500);
    long measureNanos = TimeUnit.MILLISECONDS.toNanos(2000);
    long workNanos = 5_000;
    int recordCapacity = 200_000;
    // Enough for the compilers to quiet on 2 cores: the locked variants needed 9-37 rounds (once
    // one was still not quiet at 40), the unguarded 6; at 12, the first cells measured the agent's
    // lock path being compiled.
    int jitWarmupRounds = 40;
    List<Cell> cells;

    /** Filters of the grid (null: all): write percentages, threads, JVMs, datasets. */
    List<Integer> mixes;

    List<Integer> threads;
    List<Integer> jvms;
    List<Integer> datasets;

    static Options parse(String[] args) {
      Options o = new Options();
      Map<String, String> given = new LinkedHashMap<>();
      for (int i = 0; i < args.length; i++) {
        if (args[i].equals("--quick")) {
          o.quick = true;
        } else if (args[i].startsWith("--") && i + 1 < args.length) {
          given.put(args[i], args[++i]);
        } else {
          throw new IllegalArgumentException("unexpected argument: " + args[i]);
        }
      }
      try {
        for (Map.Entry<String, String> e : given.entrySet()) {
          String value = e.getValue();
          switch (e.getKey()) {
            case "--runs" -> o.runs = positive(value);
            case "--out" -> o.out = Paths.get(value);
            case "--agent" -> o.agent = Paths.get(value);
            case "--work" -> o.work = Paths.get(value);
            case "--warmup-ms" -> o.warmupNanos = TimeUnit.MILLISECONDS.toNanos(positive(value));
            case "--measure-ms" -> o.measureNanos = TimeUnit.MILLISECONDS.toNanos(positive(value));
            case "--work-us" -> o.workNanos = Math.round(Double.parseDouble(value) * 1000);
            case "--record" -> o.recordCapacity = positive(value);
            case "--jit-warmup-rounds" -> o.jitWarmupRounds = atLeastZero(value);
            case "--mixes" -> o.mixes = numbers(value);
            case "--threads" -> o.threads = numbers(value);
            case "--jvms" -> o.jvms = numbers(value);
            case "--datasets" -> o.datasets = numbers(value);
            default -> throw new IllegalArgumentException("unknown option: " + e.getKey());
          }
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a number: " + e.getMessage(), e);
      }
      o.cells = new ArrayList<>();
      for (Cell cell : o.quick ? Cell.quick() : Cell.fullGrid()) {
        if (o.selects(cell)) {
          o.cells.add(cell);
        }
      }
      if (o.cells.isEmpty()) {
        throw new IllegalArgumentException("--mixes/--threads/--jvms/--datasets select no cell");
      }
      return o;
    }

    /** Whether {@code cell} passes the --mixes, --threads, --jvms and --datasets filters. */
    private boolean selects(Cell cell) {
      return (mixes == null || mixes.contains(cell.writePercent()))
          && (threads == null || threads.contains(cell.threads()))
          && (jvms == null || jvms.contains(cell.jvms()))
          && (datasets == null || datasets.contains(cell.datasets()));
    }

    /** A comma-separated list of numbers. */
    private static List<Integer> numbers(String value) {
      List<Integer> out = new ArrayList<>();
      for (String part : value.split(",")) {
        out.add(Integer.parseInt(part.trim()));
      }
      return out;
    }

    private static int atLeastZero(String value) {
      int n = Integer.parseInt(value);
      if (n < 0) {
        throw new IllegalArgumentException("must be 0 or more: " + value);
      }
      return n;
    }

    private static int positive(String value) {
      int n = Integer.parseInt(value);
      if (n < 1) {
        throw new IllegalArgumentException("must be positive: " + value);
      }
      return n;
    }
  }
}
