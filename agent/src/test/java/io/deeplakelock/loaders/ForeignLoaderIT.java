package io.deeplakelock.loaders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.deeplakelock.testsupport.AgentJar;
import io.deeplakelock.testsupport.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Guarded classes in class loaders the agent does not know, beside the service's own versions of
 * the libraries the agent shades: (a) a child-first loader that cannot see the application class
 * loader, (b) a Spring Boot-style loader of jars nested in a jar, with in-memory classes and
 * synthetic or no code sources. The service brings Curator 5.2.0, ZooKeeper 3.6.3, Guava 31.1,
 * SnakeYAML 1.33 and SLF4J 1.7 (the agent: Curator 5.9.0, ZooKeeper 3.9.3, Guava 32,
 * snakeyaml-engine 2.10, SLF4J 2), and runs on the build JDK and on JDK 25.
 *
 * <p>Each run checks, in the child JVM: that the service's classes and libraries come from its own
 * loader and jars; that guarded calls run under the dataset's lock (the bridge's {@code
 * DatasetLocks.current()}, seen from the service, names it with a fencing token); that a guarded
 * call waits while another ZooKeeper client holds the write lock, its body seeing only what was
 * written after the release; and that the service's own Curator, ZooKeeper and SnakeYAML keep
 * working. A control run without the agent shows the same call running while the lock is held.
 */
class ForeignLoaderIT {

  private static final String JDK25 = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java";
  private static final long WAIT_SECONDS = 60;

  /** Each library the service brings, as agent/pom.xml copies it, by its ServiceMain key. */
  private static final Map<String, String> SERVICE_JARS =
      Map.of(
          "curator", "curator-framework-5.2.0.jar",
          "curator-recipes", "curator-recipes-5.2.0.jar",
          "zookeeper", "zookeeper-3.6.3.jar",
          "guava", "guava-31.1-jre.jar",
          "snakeyaml", "snakeyaml-1.33.jar",
          "slf4j", "slf4j-api-1.7.30.jar");

  @TempDir static Path jarsDir;
  private static ServiceJars jars;
  private static TestingServer server;
  private static CuratorFramework zk;

  @TempDir Path dir;

  /** The loaders under test, and how a child JVM starts the service in each. */
  enum Loader {
    /** (a) Child-first, its parent the platform loader: the class path is out of its sight. */
    CHILD_FIRST("io.deeplakelock.loaders.launch.ChildFirstClassLoader"),
    /** (b) Spring Boot-style nested jars, classes defined from memory, resources served. */
    NESTED_JARS("io.deeplakelock.loaders.launch.NestedJarClassLoader"),
    /** (b') The same, but like a loader that only overrides findClass: no class-file resources. */
    NESTED_JARS_NO_CLASS_FILES("io.deeplakelock.loaders.launch.NestedJarClassLoader");

    final String className;

    Loader(String className) {
      this.className = className;
    }

    List<String> launch(ServiceJars jars) {
      switch (this) {
        case CHILD_FIRST:
          return List.of(
              "-cp",
              jars.launcher.toString(),
              "io.deeplakelock.loaders.launch.ChildFirstLauncher",
              jars.childFirstJars().stream()
                  .map(Path::toString)
                  .collect(Collectors.joining(java.io.File.pathSeparator)),
              ServiceJars.START_CLASS);
        case NESTED_JARS:
          return List.of("-jar", jars.nested.toString());
        default:
          return List.of("-Dloaders.hideClassFiles=true", "-jar", jars.nested.toString());
      }
    }
  }

  @BeforeAll
  static void start() throws Exception {
    jars = ServiceJars.build(jarsDir);
    server =
        new TestingServer(
            new InstanceSpec(null, -1, -1, -1, true, -1, -1, -1, null, "127.0.0.1"), true);
    zk = CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryNTimes(3, 200));
    zk.start();
    assertTrue(zk.blockUntilConnected((int) WAIT_SECONDS, TimeUnit.SECONDS), "test client");
  }

  @AfterAll
  static void stop() throws Exception {
    if (zk != null) {
      zk.close();
    }
    if (server != null) {
      server.close();
    }
  }

  static Stream<Arguments> loadersOnEachJdk() {
    List<Arguments> runs = new ArrayList<>();
    for (String java : List.of(buildJdk(), JDK25)) {
      for (Loader loader : List.of(Loader.CHILD_FIRST, Loader.NESTED_JARS)) {
        runs.add(Arguments.of(loader, java));
      }
    }
    return runs.stream();
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("loadersOnEachJdk")
  void guardedCallsLockInTheServicesLoaderBesideItsOwnLibraries(Loader loader, String java)
      throws Exception {
    runGuardedCalls(loader, java);
  }

  /**
   * A loader that defines classes from memory and does not serve them as resources (one that
   * overrides only {@code findClass}), where the guarded class implements an interface of that
   * loader. The rule that names the class exactly still guards it: the agent redefines classes
   * knowing only their declared methods, so no supertype's class file is needed. The {@code
   * subtypesOf} rule cannot tell whether the class implements the interface, and must say so as an
   * ERROR naming the rule and the class, never silently.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(value = Loader.class, names = "NESTED_JARS_NO_CLASS_FILES")
  void inALoaderThatServesNoClassFilesExactRulesGuardAndSubtypeRulesSayTheyCannot(Loader loader)
      throws Exception {
    String java = buildJdk();
    String dataset = uniqueDataset(loader, java);
    String lockPath = "/deeplake/" + encode(dataset);
    String marker = "/loaders-it/marker-" + encode(dataset);
    Path rules = writeRules();
    try (ServiceProcess service = startService(java, rules, loader, dataset, marker)) {
      service.factsUntilReady();
      token(service.call("append a,b"), "APPENDED \\[a, b\\] marker=none lock=write", lockPath);
      String errors = service.agentErrors();
      assertTrue(
          errors.contains(
              "rule 'store-reads' (subtypes of io.deeplakelock.loaders.app.api.Searchable) cannot"
                  + " tell whether "),
          errors);
      assertTrue(!errors.contains("could not instrument"), errors);
      assertEquals(0, service.finish(), service.toString());
    }
  }

  /** Unique per run: the build JDK may itself be JDK 25, so loader and JDK are not enough. */
  private static String uniqueDataset(Loader loader, String java) {
    return "/data/"
        + loader.name().toLowerCase(Locale.ROOT)
        + "-"
        + javaVersion(java)
        + "-"
        + RUNS.incrementAndGet();
  }

  private static final java.util.concurrent.atomic.AtomicInteger RUNS =
      new java.util.concurrent.atomic.AtomicInteger();

  private void runGuardedCalls(Loader loader, String java) throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Paths.get(java)), "no " + java);
    String dataset = uniqueDataset(loader, java);
    String lockPath = "/deeplake/" + encode(dataset);
    String marker = "/loaders-it/marker-" + encode(dataset);
    Path rules = writeRules();
    try (ServiceProcess service = startService(java, rules, loader, dataset, marker)) {
      Map<String, String> facts = service.factsUntilReady();
      assertTheServiceRunsItsOwnLibraries(facts, loader, service);
      if (java.equals(JDK25)) {
        assertEquals("25", facts.get("java"));
      }
      assertEquals("bootstrap", facts.get("bridge"), "where the service sees the bridge");
      // The guarded class is loaded by now; a class the agent could not instrument is an ERROR.
      assertEquals("", service.agentErrors(), "the agent reported errors");

      // Uncontended: both rules guard calls of classes that only the service's loader has.
      String written = service.call("append a,b");
      long firstToken = token(written, "APPENDED \\[a, b\\] marker=none lock=write", lockPath);
      String read = service.call("search a");
      token(read, "SEARCHED \\[a, lock=read", lockPath);

      // Contended: while another process holds the write lock, the guarded body must not run.
      // Adaptive lingering (the default) may keep the read node up to a window after the call.
      awaitChildren(lockPath, 0, service);
      String holder = holdWriteLock(lockPath);
      setMarker(marker, "held");
      service.send("append c");
      awaitChildren(lockPath, 2, service);
      assertFalse(service.hasUnreadOutput(), "the call ran while the lock was held" + service);
      setMarker(marker, "released");
      zk.delete().forPath(holder);
      String waited = service.next();
      long secondToken = token(waited, "APPENDED \\[c\\] marker=released lock=write", lockPath);
      assertTrue(secondToken > firstToken, "fencing tokens grow: " + written + " / " + waited);

      // The service's own ZooKeeper client still works after the agent's calls.
      assertTrue(service.call("own-zk").startsWith("OWN-ZK ok "), service.toString());
      assertEquals(0, service.finish(), service.toString());

      String stderr = service.stderr();
      assertTrue(stderr.contains("deeplake-lock "), stderr);
      assertTrue(
          stderr.contains(
              "instrumenting io.deeplakelock.loaders.app.VectorStore.append(Ljava/lang/String;)"
                  + "Ljava/lang/String; with rule 'store-writes'"),
          stderr);
      assertTrue(
          stderr.contains(
              "instrumenting io.deeplakelock.loaders.app.VectorStore.search(Ljava/lang/String;)"
                  + "Ljava/util/List; with rule 'store-reads'"),
          stderr);
      assertEquals("", service.agentErrors(), "the agent reported errors");
      assertEquals(List.of(), children(lockPath), "the service left lock nodes behind");
    }
  }

  /** The control: without the agent, the same call runs while another process holds the lock. */
  @ParameterizedTest
  @EnumSource(Loader.class)
  void withoutTheAgentTheCallRunsWhileTheLockIsHeld(Loader loader) throws Exception {
    String java = buildJdk();
    String dataset = "/data/" + loader.name().toLowerCase(Locale.ROOT) + "-no-agent";
    String lockPath = "/deeplake/" + encode(dataset);
    String marker = "/loaders-it/marker-" + encode(dataset);
    try (ServiceProcess service = startService(java, null, loader, dataset, marker)) {
      Map<String, String> facts = service.factsUntilReady();
      assertTheServiceRunsItsOwnLibraries(facts, loader, service);
      assertEquals("absent", facts.get("bridge"));
      String holder = holdWriteLock(lockPath);
      setMarker(marker, "held");
      assertEquals("APPENDED [c] marker=held lock=no-agent", service.call("append c"));
      zk.delete().forPath(holder);
      assertEquals(0, service.finish(), service.toString());
    }
  }

  private static void assertTheServiceRunsItsOwnLibraries(
      Map<String, String> facts, Loader loader, ServiceProcess service) {
    String context = "facts " + facts + service;
    assertEquals(loader.className, facts.get("loader"), context);
    assertEquals("false", facts.get("app-on-system-loader"), context);
    if (loader == Loader.CHILD_FIRST) {
      // It cannot see the application class loader, and so none of the agent's classes.
      assertEquals("false", facts.get("agent-curator-visible"), context);
    }
    for (Map.Entry<String, String> jar : SERVICE_JARS.entrySet()) {
      String where = facts.get("lib." + jar.getKey());
      assertTrue(
          where != null && where.contains(jar.getValue()),
          jar.getKey() + " must come from " + jar.getValue() + "; " + context);
      assertEquals("app", facts.get("lib." + jar.getKey() + ".loader"), context);
    }
    assertTrue(facts.get("zookeeper-version").startsWith("3.6.3"), context);
    assertEquals("{flag=false}", facts.get("yaml"), "SnakeYAML 1.x reads YAML 1.1; " + context);
    assertTrue(facts.get("own-zk").startsWith("ok "), context);
  }

  private ServiceProcess startService(
      String java, Path rules, Loader loader, String dataset, String marker) throws Exception {
    return ServiceProcess.start(
        ChildJvm.named("service")
            .java(java)
            .keepClassDataSharing()
            .agent(AgentJar.path(), rules)
            .launch(
                loader.launch(jars),
                server.getConnectString(),
                dataset,
                marker,
                dir.getFileName().toString()),
        dir);
  }

  private Path writeRules() throws Exception {
    Path rules = dir.resolve("rules.yaml");
    Files.write(
        rules,
        ("zookeeper:\n"
                + "  connect: \""
                + server.getConnectString()
                + "\"\n"
                + "locks:\n"
                + "  timeout: 60s\n"
                + "rules:\n"
                + "  - name: store-writes\n"
                + "    class: io.deeplakelock.loaders.app.VectorStore\n"
                + "    methods: [append]\n"
                + "    lock: write\n"
                + "    dataset: this.path\n"
                + "  - name: store-reads\n"
                + "    subtypesOf: io.deeplakelock.loaders.app.api.Searchable\n"
                + "    methods: [search]\n"
                + "    lock: read\n"
                + "    dataset: this.path\n")
            .getBytes(StandardCharsets.UTF_8));
    return rules;
  }

  /** Queues a kazoo-named write node, as another process's write lock would be; it is first. */
  private static String holdWriteLock(String lockPath) throws Exception {
    assertEquals(List.of(), children(lockPath), "the lock must be free");
    return zk.create()
        .creatingParentsIfNeeded()
        .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
        .forPath(lockPath + "/test-holder-__lock__");
  }

  private static void setMarker(String marker, String value) throws Exception {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    if (zk.checkExists().forPath(marker) == null) {
      zk.create().creatingParentsIfNeeded().forPath(marker, bytes);
    } else {
      zk.setData().forPath(marker, bytes);
    }
  }

  /** The fencing token in a line {@code <prefix> lock <lockPath> token <n> session 0x<id>...}. */
  private static long token(String line, String prefix, String lockPath) {
    Matcher m =
        Pattern.compile(
                prefix + " lock " + Pattern.quote(lockPath) + " token (\\d+) session 0x\\w+.*")
            .matcher(line);
    assertTrue(
        m.matches(), "expected '" + prefix + " lock " + lockPath + " token ...', got " + line);
    long token = Long.parseLong(m.group(1));
    assertTrue(token > 0, line);
    return token;
  }

  private static List<String> children(String path) throws Exception {
    try {
      return zk.getChildren().forPath(path);
    } catch (KeeperException.NoNodeException e) {
      return List.of();
    }
  }

  /** Waits, by watching the lock path, until it has {@code count} children. */
  private static void awaitChildren(String path, int count, ServiceProcess service)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (true) {
      CountDownLatch changed = new CountDownLatch(1);
      List<String> now =
          zk.getChildren().usingWatcher((Watcher) e -> changed.countDown()).forPath(path);
      if (now.size() == count) {
        return;
      }
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0 || !changed.await(remaining, TimeUnit.NANOSECONDS)) {
        fail("expected " + count + " children of " + path + ", have " + now + service);
      }
    }
  }

  /** A lock path's last segment as the README defines it: all but A-Za-z0-9-._~ as %XX. */
  private static String encode(String dataset) {
    StringBuilder out = new StringBuilder();
    for (byte b : dataset.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || "-._~".indexOf(c) >= 0) {
        out.append(c);
      } else {
        out.append('%').append(String.format("%02X", (int) c));
      }
    }
    return out.toString();
  }

  private static String buildJdk() {
    return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String javaVersion(String java) {
    return java.equals(JDK25) ? "jdk25" : "build-jdk";
  }
}
