package io.deeplakelock.testapp.interop;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.testsupport.AgentJar;
import io.deeplakelock.testsupport.ChildJvm;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's locks against Python kazoo (the client the Deep Lake documentation uses) and against
 * Curator's own read-write lock, each on one lock path, in real processes.
 *
 * <p>Needs {@code python3-kazoo} (Debian); {@code .ci/run} installs it and sets {@code
 * DEEPLAKE_LOCK_REQUIRE_KAZOO=1}, so CI fails rather than skips when it is missing.
 */
class KazooInteropIT {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Duration STILL_BLOCKED = Duration.ofMillis(1500);

  private static TestingServer server;
  private static String python;

  @TempDir Path dir;
  private final List<Peer> peers = new ArrayList<>();
  private Path dataset;

  @BeforeAll
  static void startServer() throws Exception {
    python = pythonWithKazoo();
    if (python == null) {
      String message =
          "no python3 with kazoo found: install Debian's python3-kazoo (apt-get install -y"
              + " python3-kazoo) to run the interop tests";
      if (System.getenv("DEEPLAKE_LOCK_REQUIRE_KAZOO") != null) {
        throw new AssertionError(message);
      }
      Assumptions.abort(message);
    }
    server =
        new TestingServer(
            new InstanceSpec(null, -1, -1, -1, true, -1, -1, -1, null, "127.0.0.1"), true);
  }

  @AfterAll
  static void stopServer() throws IOException {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void dataset() throws IOException {
    dataset = dir.resolve("ds");
    Files.createDirectories(dataset);
  }

  @org.junit.jupiter.api.AfterEach
  void stopPeers() {
    peers.forEach(Peer::close);
  }

  @Test
  void javaWriteWaitsForPythonWriteLock() throws Exception {
    assertWaitsBehind(
        "py", () -> python("py", "dataset:" + dataset, "write", 1),
        "java", () -> java("java", rules(""), "write", 1));
  }

  @Test
  void pythonWriteWaitsForJavaWriteLock() throws Exception {
    assertWaitsBehind(
        "java", () -> java("java", rules(""), "write", 1),
        "py", () -> python("py", "dataset:" + dataset, "write", 1));
  }

  @Test
  void javaReadWaitsForPythonWriteLock() throws Exception {
    assertWaitsBehind(
        "py", () -> python("py", "dataset:" + dataset, "write", 1),
        "java", () -> java("java", rules(""), "read", 1));
  }

  @Test
  void pythonWriteWaitsForJavaReadLock() throws Exception {
    assertWaitsBehind(
        "java", () -> java("java", rules(""), "read", 1),
        "py", () -> python("py", "dataset:" + dataset, "write", 1));
  }

  @Test
  void pythonReadWaitsForJavaWriteLock() throws Exception {
    assertWaitsBehind(
        "java", () -> java("java", rules(""), "write", 1),
        "py", () -> python("py", "dataset:" + dataset, "read", 1));
  }

  @Test
  void javaAndPythonReadersShareTheLock() throws Exception {
    Peer java = java("java", rules(""), "read", 1);
    java.next("STARTED", WAIT);
    java.next("ACQUIRED 0", WAIT);
    Peer py = python("py", "dataset:" + dataset, "read", 1);
    py.next("STARTED", WAIT);
    py.next("ACQUIRED 0", WAIT); // while the Java reader still holds
    release("py", 0);
    release("java", 0);
    assertEquals(0, py.awaitExit(WAIT));
    assertEquals(0, java.awaitExit(WAIT));
  }

  /**
   * A queue of three: a Java writer holds, a Python writer queues, then a Java reader queues. They
   * are served in queue order. (kazoo 2.8.0's ReadLock may wait on a writer queued after it, kazoo
   * issue #649, so no Python reader takes part in an ordering test.)
   */
  @Test
  void threePartyQueueIsServedInOrder() throws Exception {
    Peer writer = java("java-writer", rules(""), "write", 1);
    writer.next("STARTED", WAIT);
    writer.next("ACQUIRED 0", WAIT);
    Peer py = python("py", "dataset:" + dataset, "write", 1);
    py.next("STARTED", WAIT);
    awaitContenders(lockPathOf(dataset), 2);
    Peer reader = java("java-reader", rules(""), "read", 1);
    reader.next("STARTED", WAIT);
    awaitContenders(lockPathOf(dataset), 3);

    release("java-writer", 0);
    writer.next("RELEASED 0", WAIT);
    long pyAcquired = Peer.millis(py.next("ACQUIRED 0", WAIT));
    assertTrue(reader.silentFor(STILL_BLOCKED), "the reader must wait for the queued writer");
    long pyReleased = release("py", 0);
    py.next("RELEASED 0", WAIT);
    long readerAcquired = Peer.millis(reader.next("ACQUIRED 0", WAIT));
    assertTrue(pyAcquired < readerAcquired && readerAcquired >= pyReleased);
    release("java-reader", 0);
    assertEquals(0, reader.awaitExit(WAIT));
  }

  /**
   * The Deep Lake documentation's pattern: every writer takes one fixed lock, {@code /deeplake},
   * and the Python service reuses one {@code zk.WriteLock("/deeplake")} object. The agent's rules
   * use {@code lockPath: /deeplake}; turns alternate, and the parent node stays PERSISTENT so the
   * reused kazoo object never fails with NoNodeError.
   */
  @Test
  void deepLakeDocsPatternFixedLockPathWithReusedKazooLock() throws Exception {
    Path rules = rules("    lockPath: /deeplake\n");
    Peer py = python("py", "/deeplake", "write", 3);
    py.next("STARTED", WAIT);
    Peer java = java("java", rules, "write", 3);
    java.next("STARTED", WAIT);
    for (int i = 0; i < 3; i++) {
      py.next("ACQUIRED " + i, WAIT);
      assertTrue(java.silentFor(Duration.ofMillis(500)));
      long pyReleased = release("py", i);
      py.next("RELEASED " + i, WAIT);
      long javaAcquired = Peer.millis(java.next("ACQUIRED " + i, WAIT));
      assertTrue(javaAcquired >= pyReleased);
      release("java", i);
      java.next("RELEASED " + i, WAIT);
    }
    assertEquals(0, py.awaitExit(WAIT), py.stderrText());
    assertEquals(0, java.awaitExit(WAIT));
    try (CuratorFramework zk = client()) {
      Stat parent = zk.checkExists().forPath("/deeplake");
      assertNotNull(parent);
      assertEquals(0, parent.getEphemeralOwner(), "the lock parent must be PERSISTENT");
    }
  }

  /** With {@code protocol: curator}, the agent queues with Curator's InterProcessReadWriteLock. */
  @Test
  void curatorProtocolExcludesCuratorReadWriteLock() throws Exception {
    Path rules = rules("", "curator");
    String lockPath = lockPathOf(dataset);
    try (CuratorFramework zk = client()) {
      InterProcessReadWriteLock curator = new InterProcessReadWriteLock(zk, lockPath);
      assertTrue(curator.writeLock().acquire(10, TimeUnit.SECONDS));
      Peer java = java("java", rules, "write", 1);
      java.next("STARTED", WAIT);
      assertTrue(java.silentFor(STILL_BLOCKED));
      curator.writeLock().release();
      java.next("ACQUIRED 0", WAIT);
      assertTrue(
          !curator.readLock().acquire(1, TimeUnit.SECONDS),
          "Curator's reader must wait for the agent's writer");
      release("java", 0);
      java.next("RELEASED 0", WAIT);
      assertTrue(curator.readLock().acquire(10, TimeUnit.SECONDS));
      curator.readLock().release();
      assertEquals(0, java.awaitExit(WAIT));
    }
  }

  /**
   * Issue 10: a JVM thread holds the write lock and a second thread of the same JVM queues behind
   * it; a Python client deletes the first thread's node and takes the WriteLock. The first thread
   * must be told (LockLostException), and the second must enter only after Python released.
   */
  @Test
  void javaWriteNodeDeletedByPythonIsReportedAndTheQueuedThreadWaitsForPython() throws Exception {
    Peer java = java("java", rules(""), "write-threads", 2);
    java.next("STARTED", WAIT);
    java.next("ACQUIRED 0", WAIT);
    java.next("QUEUED 1", WAIT);
    Peer py = python("py", "dataset:" + dataset, "steal-write", 1);
    py.next("STARTED", WAIT);
    py.next("DELETED", WAIT);
    py.next("ACQUIRED 0", WAIT);

    release("java", 0);
    List<String> printed = new ArrayList<>();
    printed.add(java.next("", WAIT)); // the first thread's end
    printed.addAll(java.linesWithin(STILL_BLOCKED)); // and nothing else while Python holds
    assertAll(
        () ->
            assertTrue(
                printed.stream()
                    .anyMatch(
                        l -> l.startsWith("FAILED 0 io.deeplakelock.bridge.LockLostException")),
                "the thread whose node Python deleted must get LockLostException; the JVM printed "
                    + printed),
        () ->
            assertTrue(
                printed.stream().noneMatch(l -> l.startsWith("ACQUIRED 1")),
                "the queued thread entered while the Python writer held the lock: " + printed));

    long pyReleased = release("py", 0);
    py.next("RELEASED 0", WAIT);
    long javaAcquired = Peer.millis(java.next("ACQUIRED 1", WAIT));
    assertTrue(javaAcquired >= pyReleased, "the queued thread entered before Python released");
    release("java", 1);
    java.next("RELEASED 1", WAIT);
    assertEquals(0, py.awaitExit(WAIT), py.stderrText());
    assertEquals(3, java.awaitExit(WAIT), "exit code 3: one call failed");
  }

  // ---- helpers ---------------------------------------------------------------------------

  /** Starts a peer process. */
  @FunctionalInterface
  private interface PeerStart {
    Peer start() throws Exception;
  }

  /**
   * Starts {@code holder} and waits until it holds the lock, then starts {@code waiter}: the waiter
   * must stay blocked while the holder holds, and acquire only once it is let go.
   */
  private void assertWaitsBehind(
      String holderName, PeerStart holder, String waiterName, PeerStart waiter) throws Exception {
    Peer first = holder.start();
    first.next("STARTED", WAIT);
    first.next("ACQUIRED 0", WAIT);
    Peer second = waiter.start();
    second.next("STARTED", WAIT);
    assertTrue(second.silentFor(STILL_BLOCKED), waiterName + " must wait for " + holderName);
    long released = release(holderName, 0);
    first.next("RELEASED 0", WAIT);
    long acquired = Peer.millis(second.next("ACQUIRED 0", WAIT));
    assertTrue(acquired >= released, waiterName + " acquired before " + holderName + " released");
    release(waiterName, 0);
    second.next("RELEASED 0", WAIT);
    assertEquals(0, second.awaitExit(WAIT));
    assertEquals(0, first.awaitExit(WAIT));
  }

  private Peer python(String name, String lockPath, String mode, int repeat) throws Exception {
    Peer peer =
        Peer.start(
            ChildJvm.named(name)
                .command(
                    Arrays.asList(
                        python,
                        script().toString(),
                        server.getConnectString(),
                        lockPath,
                        mode,
                        "60",
                        dir.resolve(name + ".release").toString(),
                        String.valueOf(repeat))),
            dir);
    peers.add(peer);
    return peer;
  }

  private Peer java(String name, Path rules, String mode, int repeat) throws Exception {
    Peer peer =
        Peer.start(
            ChildJvm.named(name)
                .agent(AgentJar.path(), rules)
                .classPath(Paths.get("target", "test-classes").toAbsolutePath().toString())
                .main(
                    InteropService.class,
                    mode,
                    dataset.toString(),
                    dir.resolve(name + ".release").toString(),
                    String.valueOf(repeat))
                .env("DEEPLAKE_LOCK_ZK", server.getConnectString()),
            dir);
    peers.add(peer);
    return peer;
  }

  private Path rules(String extra) throws IOException {
    return rules(extra, "kazoo");
  }

  private Path rules(String extra, String protocol) throws IOException {
    String cls = InteropService.class.getName();
    String text =
        "zookeeper:\n  connect: ${DEEPLAKE_LOCK_ZK}\n"
            + "locks:\n  timeout: 60s\n  protocol: "
            + protocol
            + "\nrules:\n"
            + "  - name: interop-writes\n    class: "
            + cls
            + "\n    methods: [write]\n    lock: write\n    dataset: this.path\n"
            + extra
            + "  - name: interop-reads\n    class: "
            + cls
            + "\n    methods: [read]\n    lock: read\n    dataset: this.path\n"
            + extra;
    Path file = dir.resolve("rules-" + protocol + extra.hashCode() + ".yaml");
    Files.write(file, text.getBytes(StandardCharsets.UTF_8));
    return file;
  }

  /**
   * Lets a holder release; returns the time just before, which no waiter may acquire earlier than.
   * (The holder's own RELEASED line can come after a waiter's ACQUIRED.)
   */
  private long release(String peer, int call) throws IOException {
    long now = System.currentTimeMillis();
    Files.createFile(dir.resolve(peer + ".release." + call));
    return now;
  }

  /** The lock path the agent uses for a local dataset directory, per README's mapping. */
  private static String lockPathOf(Path dataset) {
    StringBuilder out = new StringBuilder("/deeplake/");
    for (byte b :
        dataset.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '.' || c == '_' || c == '~') {
        out.append((char) c);
      } else {
        out.append(String.format("%%%02X", c));
      }
    }
    return out.toString();
  }

  private void awaitContenders(String lockPath, int count) throws Exception {
    try (CuratorFramework zk = client()) {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (true) {
        int contenders = 0;
        if (zk.checkExists().forPath(lockPath) != null) {
          for (String child : zk.getChildren().forPath(lockPath)) {
            if (child.matches(".*(__lock__|__rlock__)\\d{10}$")) {
              contenders++;
            }
          }
        }
        if (contenders >= count) {
          return;
        }
        assertTrue(System.nanoTime() < deadline, "only " + contenders + " contenders queued");
        Thread.onSpinWait();
      }
    }
  }

  private static CuratorFramework client() throws InterruptedException {
    CuratorFramework zk =
        CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(100));
    zk.start();
    assertTrue(zk.blockUntilConnected(30, TimeUnit.SECONDS));
    return zk;
  }

  private static Path script() throws URISyntaxException {
    return Paths.get(KazooInteropIT.class.getResource("/interop/kazoo_peer.py").toURI());
  }

  private static String pythonWithKazoo() {
    for (String candidate : new String[] {"/usr/bin/python3", "python3"}) {
      try {
        Process p = new ProcessBuilder(candidate, "-c", "import kazoo").start();
        if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
          return candidate;
        }
      } catch (IOException | InterruptedException e) {
        // not this one
      }
    }
    return null;
  }
}
