package io.deeplakelock.testapp.demo;

import io.deeplakelock.testapp.service.Arguments;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The demo behind {@code bin/demo}: runs the same concurrent workload on the legacy dataset service
 * twice, without and with the agent, and prints what each run did to the dataset.
 *
 * <pre>
 * Demo [--agent agent/target/deeplake-lock.jar] [--rules config/deeplake-lock.yaml]
 *      [--writers 4] [--ops 250] [--searches 200] [--compact-every K] [--skip-agent] [--keep]
 * </pre>
 *
 * With {@code --compact-every K} the first writer also compacts the dataset after every K-th
 * operation ({@code Maintenance.compact}, which {@code config/deeplake-lock.yaml} does not guard).
 *
 * <p>Each run gets a fresh dataset, {@code --writers} writer JVMs and one searcher JVM that start
 * together. The run with the agent adds {@code -javaagent:JAR=RULES} to the children and points
 * them, through {@code DEEPLAKE_LOCK_ZK}, at a ZooKeeper server the demo starts on a free port of
 * 127.0.0.1. Exit status 0 when the run with the agent acknowledged every operation and lost,
 * duplicated and misread nothing; 1 when it did not; 2 when the demo itself could not run.
 */
public final class Demo {
  static final String USAGE =
      "usage: bin/demo [--agent JAR] [--rules FILE] [--writers N] [--ops N] [--searches N]"
          + " [--compact-every K] [--skip-agent] [--keep]";

  private static final String ZK_ENV = "DEEPLAKE_LOCK_ZK";

  /** Small heap, one GC thread, C1 only: six JVMs share two cores and start faster this way. */
  private static final List<String> CHILD_JVM_OPTIONS =
      Arrays.asList("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  private final Settings settings;
  private final PrintStream out;
  private final PrintStream err;
  private final String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
  private final String classpath = absoluteClassPath();
  private final List<WorkloadJvm> started =
      Collections.synchronizedList(new ArrayList<WorkloadJvm>());
  private final AtomicBoolean cleanedUp = new AtomicBoolean();
  private Path scratch;
  private volatile LocalZooKeeper zooKeeper;

  private Demo(Settings settings, PrintStream out, PrintStream err) {
    this.settings = settings;
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) throws InterruptedException {
    int status;
    try {
      status =
          new Demo(
                  new Settings(Arguments.parse(Arrays.asList(args), Settings.OPTIONS)),
                  System.out,
                  System.err)
              .run();
    } catch (IllegalArgumentException e) {
      System.err.println("demo: " + e.getMessage());
      System.err.println(USAGE);
      status = 2;
    } catch (IOException e) {
      System.err.println("demo: " + e);
      status = 2;
    }
    System.out.flush();
    System.exit(status);
  }

  private int run() throws IOException, InterruptedException {
    if (!settings.skipAgent && !agentFilesPresent()) {
      return 2;
    }
    scratch = Files.createTempDirectory("deeplake-lock-demo-");
    Runtime.getRuntime().addShutdownHook(new Thread(this::cleanUp, "demo-cleanup"));
    try {
      out.printf(
          "deeplake-lock demo: %d writer JVMs x %d operations + 1 searcher JVM x %d searches,"
              + " a fresh dataset per run%n",
          settings.writers, settings.ops, settings.searches);
      if (!settings.skipAgent) {
        zooKeeper = LocalZooKeeper.start(scratch.resolve("zookeeper"), java, classpath);
        out.printf("  ZooKeeper %s on %s%n", zooKeeper.version(), zooKeeper.connectString());
      }
      List<RunResult> results = new ArrayList<>();
      results.add(
          round(
              "without agent",
              Collections.<String>emptyList(),
              Collections.<String, String>emptyMap()));
      if (!settings.skipAgent) {
        Map<String, String> environment = new HashMap<>();
        environment.put(ZK_ENV, zooKeeper.connectString());
        results.add(
            round(
                "with agent",
                Collections.singletonList(
                    "-javaagent:" + settings.agentJar + "=" + settings.rulesFile),
                environment));
      }
      out.println();
      out.print(new ResultTable(results).render());
      out.println();
      return verdict(results);
    } catch (DemoException e) {
      if (cleanedUp.get()) {
        // The shutdown hook has killed the children under our feet: that is the whole story.
        err.println("demo: interrupted");
        return 130;
      }
      err.println("demo: " + e.getMessage());
      for (String line : e.details()) {
        err.println("  " + line);
      }
      return 2;
    } finally {
      cleanUp();
    }
  }

  private boolean agentFilesPresent() {
    if (!Files.isRegularFile(settings.agentJar)) {
      err.println("demo: agent jar not found: " + settings.agentJar);
      err.println(
          "  build it first (bin/demo does: mvn -B -q -DskipTests package), pass --agent JAR,"
              + " or run only the part without the agent with --skip-agent");
      return false;
    }
    if (!Files.isRegularFile(settings.rulesFile)) {
      err.println("demo: rules file not found: " + settings.rulesFile + " (pass --rules FILE)");
      return false;
    }
    return true;
  }

  private RunResult round(String label, List<String> agentOptions, Map<String, String> environment)
      throws IOException, InterruptedException {
    out.printf("  running %-14s ...", label);
    out.flush();
    List<String> javaCommand = new ArrayList<>();
    javaCommand.add(java);
    javaCommand.addAll(CHILD_JVM_OPTIONS);
    javaCommand.addAll(agentOptions);
    javaCommand.add("-cp");
    javaCommand.add(classpath);
    long began = System.nanoTime();
    RunResult result;
    try {
      result =
          new WorkloadRun(
                  label,
                  scratch.resolve(label.replace(' ', '-')),
                  javaCommand,
                  environment,
                  settings,
                  started)
              .execute();
    } catch (IOException | InterruptedException | RuntimeException e) {
      out.println(" failed");
      throw e;
    }
    out.printf(" %.1f s%n", (System.nanoTime() - began) / 1e9);
    return result;
  }

  private int verdict(List<RunResult> results) {
    RunResult without = results.get(0);
    String damage =
        without.isClean()
            ? "this run happened to show no damage (the race depends on timing; try more --ops)"
            : String.join(", ", without.problems());
    if (results.size() == 1) {
      out.println("Without the agent: " + damage + ".");
      return 0;
    }
    RunResult with = results.get(1);
    if (with.isClean()) {
      out.println(
          "PASS: with the agent every write was acknowledged and no row was lost, duplicated or"
              + " read corrupt; without it "
              + damage
              + ".");
      return 0;
    }
    out.println("FAIL: with the agent " + String.join(", ", with.problems()) + ".");
    for (String line : with.firstProblems) {
      out.println("  " + line);
    }
    for (String line : with.failureLog) {
      out.println("  " + line);
    }
    return 1;
  }

  /** Stops every child and the server and deletes the scratch directory; runs once. */
  private void cleanUp() {
    if (!cleanedUp.compareAndSet(false, true)) {
      return;
    }
    synchronized (started) {
      for (WorkloadJvm child : started) {
        child.destroy();
      }
    }
    LocalZooKeeper server = zooKeeper;
    if (server != null) {
      server.close();
    }
    if (scratch != null) {
      if (settings.keep) {
        err.println("demo: kept " + scratch);
      } else {
        deleteTree(scratch);
      }
    }
  }

  private static void deleteTree(Path root) {
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<Path>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
              Files.deleteIfExists(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      System.err.println("demo: could not delete " + root + ": " + e);
    }
  }

  /** The demo's own class path with every entry made absolute: children run elsewhere. */
  private static String absoluteClassPath() {
    List<String> entries = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!entry.isEmpty()) {
        entries.add(Paths.get(entry).toAbsolutePath().toString());
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  /** The command-line options of the demo. */
  static final class Settings {
    static final String[] OPTIONS = {
      "agent", "rules", "writers", "ops", "searches", "compact-every", "skip-agent", "keep"
    };

    final Path agentJar;
    final Path rulesFile;
    final int writers;
    final int ops;
    final int searches;
    final int compactEvery; // 0: the first writer never compacts
    final boolean skipAgent;
    final boolean keep;

    Settings(Arguments args) {
      this.agentJar =
          Paths.get(args.optional("agent", "agent/target/deeplake-lock.jar")).toAbsolutePath();
      this.rulesFile =
          Paths.get(args.optional("rules", "config/deeplake-lock.yaml")).toAbsolutePath();
      this.writers = args.positiveInt("writers", 4);
      this.ops = args.positiveInt("ops", 250);
      this.searches = args.positiveInt("searches", 200);
      this.compactEvery = args.has("compact-every") ? args.positiveInt("compact-every", 25) : 0;
      this.skipAgent = args.flag("skip-agent");
      this.keep = args.flag("keep");
    }
  }
}
