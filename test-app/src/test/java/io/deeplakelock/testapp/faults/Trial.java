package io.deeplakelock.testapp.faults;

import io.deeplakelock.testapp.dataset.CorruptDatasetException;
import io.deeplakelock.testapp.dataset.Salvage;
import io.deeplakelock.testapp.demo.WorkloadJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One trial: a fresh ledger dataset, four child JVMs recording entries in it (under the agent, or
 * not for the control), one kind of fault injected a few times while they run, then everything the
 * checker needs: the histories, the fault log, the lock nodes' lives, the orphans and the final
 * dataset.
 */
final class Trial {
  static final int CHILDREN = 4;
  static final String DATASET = "ds";

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(180);
  private static final Duration OPS_TIMEOUT = Duration.ofSeconds(120);

  /** What a trial runs. */
  static final class Spec {
    final String name;
    final FaultKind kind;
    final boolean agent;
    final boolean fencing;
    final String pauseMillis;
    final int ops;

    /**
     * @param agent whether the children run under the agent (false: the control run)
     * @param fencing whether the dataset library fences stale writers (off only for comparison)
     * @param pauseMillis the pause range inside each entry, {@code MIN-MAX}
     * @param ops for a trial without faults: how many entries to let complete
     */
    Spec(String name, FaultKind kind, boolean agent, boolean fencing, String pauseMillis, int ops) {
      this.name = name;
      this.kind = kind;
      this.agent = agent;
      this.fencing = fencing;
      this.pauseMillis = pauseMillis;
      this.ops = ops;
    }
  }

  /** One child process of the trial. */
  static final class Child {
    final String id;
    final WorkloadJvm jvm;
    final ZkProxy proxy;
    final Path log;
    volatile boolean killed;
    volatile boolean stopped;

    Child(String id, WorkloadJvm jvm, ZkProxy proxy, Path log) {
      this.id = id;
      this.jvm = jvm;
      this.proxy = proxy;
      this.log = log;
    }

    long pid() {
      return jvm.process().pid();
    }
  }

  final Spec spec;
  final SuiteSettings settings;
  final ZkCluster cluster;
  final Path dir;
  final long seed;
  final Random random;
  final String lockRoot;
  final List<Child> children = new ArrayList<>();
  private LockNodeRecorder recorder;

  /**
   * Kills the children if this JVM exits mid-trial (an in-process ZooKeeper server may exit it).
   */
  private final Thread killChildrenOnExit = new Thread(this::killChildren, "fault-trial-cleanup");

  Trial(Spec spec, SuiteSettings settings, ZkCluster cluster, Path parent) {
    this.spec = spec;
    this.settings = settings;
    this.cluster = cluster;
    this.dir = parent.resolve(spec.name);
    this.seed = settings.seed * 31 + spec.name.hashCode();
    this.random = new Random(seed);
    this.lockRoot = "/faults/" + spec.name;
  }

  Path dataset() {
    return dir.resolve(DATASET);
  }

  Path witness() {
    return dir.resolve("witness");
  }

  /** Runs the trial and checks what it left behind. */
  CheckReport run() throws Exception {
    Files.createDirectories(dir);
    Ledger.create(dataset().toString());
    List<FaultRecord> faults = new ArrayList<>();
    List<String> orphans = Collections.emptyList();
    long endMicros;
    Runtime.getRuntime().addShutdownHook(killChildrenOnExit);
    try {
      if (spec.agent) {
        recorder = new LockNodeRecorder(cluster.connectString(), lockRoot);
      }
      startChildren();
      Files.createFile(dir.resolve("go"));
      if (spec.kind == FaultKind.NONE) {
        Waits.until(
            spec.ops + " entries", OPS_TIMEOUT, () -> Histories.completedCount(dir) >= spec.ops);
      } else {
        FaultInjector injector = new FaultInjector(this);
        for (int i = 1; i <= settings.faultsPerTrial; i++) {
          faults.add(injector.inject(i));
        }
      }
      Files.createFile(dir.resolve("stop"));
      for (Child child : children) {
        if (!child.killed) {
          int status = child.jvm.awaitExit(EXIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
          if (status != 0) {
            throw new AssertionError(child.id + " exited with " + status + ": " + tail(child));
          }
        }
      }
      endMicros = OpLog.nowMicros();
      if (recorder != null) {
        // Killed holders' nodes go when their sessions time out; anything left after that leaks.
        orphans = recorder.awaitNoLockNodes(SuiteSettings.SESSION_TIMEOUT.multipliedBy(3));
      }
    } finally {
      tearDown();
    }
    if (recorder != null) {
      recorder.writeTo(dir.resolve("lock-nodes.jsonl"));
    }
    List<String> rows;
    long unreadableRows;
    try {
      Salvage salvage = Salvage.of(dataset().toString());
      rows = salvage.liveTexts();
      unreadableRows = salvage.unreadableRows();
    } catch (CorruptDatasetException e) {
      // Not even the meta is readable (writers without the agent can do this): no row survives.
      rows = Collections.emptyList();
      unreadableRows = -1;
    }
    return HistoryChecker.check(
        new HistoryChecker.Input(
            spec,
            Histories.read(dir),
            faults,
            recorder == null ? new HashMap<>() : recorder.nodesByToken(),
            orphans,
            rows,
            unreadableRows,
            endMicros));
  }

  private void startChildren() throws IOException, InterruptedException {
    if (spec.agent) {
      Files.write(rules(), rulesFile().getBytes(StandardCharsets.UTF_8));
    }
    List<Child> started = new ArrayList<>();
    for (int i = 0; i < CHILDREN; i++) {
      started.add(startChild());
    }
    for (Child child : started) {
      awaitReady(child);
    }
  }

  /** Starts one more child, e.g. in place of a killed one, and waits until it runs. */
  Child replaceKilledChild() throws IOException, InterruptedException {
    Child child = startChild();
    awaitReady(child);
    return child;
  }

  private Child startChild() throws IOException {
    String id = "c" + (children.size() + 1);
    List<String> command = new ArrayList<>();
    command.add(settings.java);
    command.addAll(
        Arrays.asList("-Xshare:off", "-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    if (!spec.fencing) {
      command.add("-Ddeeplake.testapp.fencing=off");
    }
    Map<String, String> env = new HashMap<>();
    ZkProxy proxy = null;
    if (spec.agent) {
      command.add("-javaagent:" + settings.agentJar + "=" + rules());
      proxy = new ZkProxy("proxy-" + spec.name + "-" + id, cluster.clientPorts());
      env.put("DEEPLAKE_LOCK_ZK", proxy.connectString());
      env.put("DEEPLAKE_LOCK_LOG", "info");
    }
    command.add("-cp");
    command.add(settings.classpath);
    command.add(FaultWorkload.class.getName());
    command.addAll(
        Arrays.asList(
            "--dataset", DATASET,
            "--id", id,
            "--history", Histories.fileOf(dir, id).toString(),
            "--witness", witness().toString(),
            "--go", dir.resolve("go").toString(),
            "--stop", dir.resolve("stop").toString(),
            "--seed", Long.toString(random.nextLong()),
            "--pause-ms", spec.pauseMillis));
    Path log = dir.resolve(id + ".log");
    WorkloadJvm jvm;
    try {
      jvm = WorkloadJvm.start(id, command, env, dir, log);
    } catch (IOException e) {
      if (proxy != null) {
        proxy.close();
      }
      throw e;
    }
    Child child = new Child(id, jvm, proxy, log);
    children.add(child);
    return child;
  }

  private void awaitReady(Child child) throws InterruptedException {
    if (!child.jvm.awaitReady(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      throw new AssertionError(child.id + " never printed READY: " + tail(child));
    }
  }

  private Path rules() {
    return dir.resolve("rules.yaml");
  }

  private String rulesFile() {
    return String.join(
        "\n",
        "# Written by the fault-injection suite for trial " + spec.name + ".",
        "zookeeper:",
        "  connect: ${DEEPLAKE_LOCK_ZK}",
        "  sessionTimeout: " + SuiteSettings.SESSION_TIMEOUT.toMillis() + "ms",
        "  connectionTimeout: " + SuiteSettings.CONNECTION_TIMEOUT.toMillis() + "ms",
        "locks:",
        "  root: " + lockRoot,
        "  timeout: " + SuiteSettings.LOCK_TIMEOUT.toSeconds() + "s",
        "  onLockLost: throw",
        "rules:",
        "  - name: ledger-entry",
        "    class: " + Ledger.class.getName(),
        "    methods: [record]",
        "    lock: write",
        "    dataset: this.path",
        "  - name: dataset-writes",
        "    class: io.deeplakelock.testapp.dataset.Dataset",
        "    methods: [append, update, delete]",
        "    lock: write",
        "    dataset: this.path",
        "  - name: dataset-reads",
        "    class: io.deeplakelock.testapp.dataset.Dataset",
        "    methods: [get, size, search]",
        "    lock: read",
        "    dataset: this.path",
        "  - name: dataset-open",
        "    class: io.deeplakelock.testapp.dataset.Dataset",
        "    methods: [open]",
        "    lock: read",
        "    dataset: arg0",
        "");
  }

  /** Leaves nothing running: stopped children are continued, live ones killed. */
  private void tearDown() throws InterruptedException {
    for (Child child : children) {
      if (child.stopped) {
        FaultInjector.signal(child.pid(), "CONT");
      }
      if (child.jvm.process().isAlive()) {
        child.jvm.destroy();
        child.jvm.process().waitFor(10, TimeUnit.SECONDS);
      }
      if (child.proxy != null) {
        child.proxy.close();
      }
    }
    if (recorder != null) {
      recorder.close();
    }
    Runtime.getRuntime().removeShutdownHook(killChildrenOnExit);
  }

  private void killChildren() {
    for (Child child : new ArrayList<>(children)) {
      child.jvm.process().destroyForcibly();
    }
  }

  static String tail(Child child) {
    return String.join("\n", child.jvm.logTail(20));
  }
}
