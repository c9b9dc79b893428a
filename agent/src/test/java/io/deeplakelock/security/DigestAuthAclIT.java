package io.deeplakelock.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.Unshaded;
import io.deeplakelock.bridge.DatasetLockException;
import io.deeplakelock.bridge.LockMode;
import io.deeplakelock.lock.HeldLock;
import io.deeplakelock.lock.LockCall;
import io.deeplakelock.lock.LockPath;
import io.deeplakelock.lock.LockService;
import io.deeplakelock.rules.AgentConfig;
import io.deeplakelock.rules.LockPolicy;
import io.deeplakelock.rules.RuleFile;
import io.deeplakelock.rules.RuleFileException;
import io.deeplakelock.rules.ZooKeeperSecurity;
import io.deeplakelock.testsupport.ChildJvm;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Digest authentication and ACLs against a real ZooKeeper: the agent owns every node it creates, an
 * unauthenticated or differently authenticated client can neither create nor delete lock nodes
 * under its root, and the password shows up nowhere.
 */
@Unshaded
class DigestAuthAclIT {

  private static final long WAIT_SECONDS = 10;

  /** Unique, so that any appearance anywhere is a leak. */
  private static final String PASSWORD = "pw-" + UUID.randomUUID();

  private static final String CREDENTIALS = "agent:" + PASSWORD;
  private static final String WRONG_PASSWORD = "wrong-" + UUID.randomUUID();

  private static TestingServer server;
  private static PrintStream originalErr;
  private static final ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();

  @TempDir Path dir;

  private LockService agent;
  private CuratorFramework anonymous;

  @BeforeAll
  static void startServerAndCaptureStderr() throws Exception {
    server = new TestingServer();
    originalErr = System.err;
    // Everything the agent and its ZooKeeper client log goes to System.err: keep a copy.
    System.setErr(new PrintStream(new Tee(originalErr, capturedErr), true, StandardCharsets.UTF_8));
  }

  @AfterAll
  static void stopServerAndScanStderr() throws Exception {
    server.close();
    System.setErr(originalErr);
    SecretScan.assertNoSecret(
        "stderr of the agent and its ZooKeeper client",
        capturedErr.toString(StandardCharsets.UTF_8),
        PASSWORD,
        CREDENTIALS,
        WRONG_PASSWORD);
  }

  @AfterEach
  void closeClients() {
    if (agent != null) {
      agent.close();
    }
    if (anonymous != null) {
      anonymous.close();
    }
  }

  @Test
  void agentWithDigestAuthLocksAndOwnsEveryNodeItCreates(TestInfo test) throws Exception {
    // A namespace of its own, so that no other test made the parents first.
    agent = start(config("creator").replace("namespace: team", "namespace: owned"), CREDENTIALS);
    String lockPath = lockPath(test);
    try (HeldLock held = agent.lock(lockPath).acquire(call())) {
      assertTrue(held.outermost());
      String node = onlyChild(agent.client(), lockPath);
      List<ACL> expected =
          List.of(
              new ACL(
                  ZooDefs.Perms.ALL,
                  new Id("digest", DigestAuthenticationProvider.generateDigest(CREDENTIALS))));
      // The namespace node, the root, the lock path and the lock node: Curator made the first
      // three as parents, through the ACL provider too.
      CuratorFramework inspector = agent.client().usingNamespace(null);
      for (String path :
          List.of(
              "/owned", "/owned/deeplake", "/owned" + lockPath, "/owned" + lockPath + "/" + node)) {
        assertEquals(expected, inspector.getACL().forPath(path), path);
      }
      assertTrue(held.outermost());
    }
  }

  @Test
  void unauthenticatedClientCannotCreateOrDeleteLockNodesUnderTheRoot(TestInfo test)
      throws Exception {
    agent = start(config("creator"), CREDENTIALS);
    String lockPath = lockPath(test);
    try (HeldLock held = agent.lock(lockPath).acquire(call())) {
      assertTrue(held.outermost());
      String node = "/team" + lockPath + "/" + onlyChild(agent.client(), lockPath);
      anonymous = connect(null);

      assertNoAuth(() -> anonymous.create().forPath("/team/deeplake/intruder"));
      assertNoAuth(
          () ->
              anonymous
                  .create()
                  .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                  .forPath("/team" + lockPath + "/_c_x-__lock__"));
      assertNoAuth(() -> anonymous.delete().forPath(node));
      assertNoAuth(() -> anonymous.delete().forPath("/team" + lockPath));
      assertNoAuth(() -> anonymous.setData().forPath("/team/deeplake", new byte[1]));
      assertNoAuth(() -> anonymous.getChildren().forPath("/team" + lockPath));

      try (CuratorFramework impostor = connect("agent:" + WRONG_PASSWORD)) {
        assertNoAuth(() -> impostor.delete().forPath(node));
        assertNoAuth(() -> impostor.create().forPath("/team/deeplake/intruder"));
      }
      assertTrue(
          agent
                  .client()
                  .checkExists()
                  .forPath(lockPath + "/" + node.substring(node.lastIndexOf('/') + 1))
              != null);
    }
  }

  @Test
  void worldReadAclLetsAnyoneListTheQueueButNotChangeIt(TestInfo test) throws Exception {
    agent =
        start(
            config("creator-world-read").replace("namespace: team", "namespace: readable"),
            CREDENTIALS);
    String lockPath = lockPath(test);
    try (HeldLock held = agent.lock(lockPath).acquire(call())) {
      assertTrue(held.outermost());
      anonymous = connect(null);
      assertEquals(1, anonymous.getChildren().forPath("/readable" + lockPath).size());
      assertNoAuth(
          () -> anonymous.create().forPath("/readable" + lockPath + "/0123__lock__0000000009"));
      assertNoAuth(() -> anonymous.create().forPath("/readable/deeplake/intruder"));
    }
  }

  @Test
  void agentWithAnotherIdentityIsRefusedAndTheMessageNamesItsUserOnly(TestInfo test)
      throws Exception {
    agent = start(config("creator"), CREDENTIALS);
    String lockPath = lockPath(test);
    try (HeldLock held = agent.lock(lockPath).acquire(call());
        LockService other = start(config("creator"), "agent:" + WRONG_PASSWORD)) {
      assertTrue(held.outermost());
      DatasetLockException e =
          assertThrows(DatasetLockException.class, () -> other.lock(lockPath).acquire(call()));
      assertTrue(e.getMessage().contains("(NoAuth)"), e.getMessage());
      assertTrue(e.getMessage().contains("digest user 'agent'"), e.getMessage());
      assertTrue(e.getMessage().contains("The call was not run."), e.getMessage());
      SecretScan.assertNoSecret("the refusal", stackTraceOf(e), WRONG_PASSWORD, PASSWORD);
    }
  }

  @Test
  void openLockRootLeftFromBeforeIsReported() throws Exception {
    anonymous = connect(null);
    // Made before the rules asked for ACLs: open to anyone.
    anonymous.create().creatingParentsIfNeeded().forPath("/legacy/deeplake");
    agent = start(config("creator").replace("namespace: team", "namespace: legacy"), CREDENTIALS);
    String warning = "lock root /deeplake already exists with an ACL that lets anyone change it";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (!capturedErr.toString(StandardCharsets.UTF_8).contains(warning)
        && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(20); // the check runs in the background once connected
    }
    assertTrue(capturedErr.toString(StandardCharsets.UTF_8).contains(warning));
  }

  @Test
  void locksCommandWithTheRulesFileReadsAProtectedRoot(TestInfo test) throws Exception {
    agent = start(config("creator"), CREDENTIALS);
    String lockPath = lockPath(test);
    Path rules = dir.resolve("rules.yaml");
    Files.writeString(rules, config("creator"));
    try (HeldLock held = agent.lock(lockPath).acquire(call())) {
      assertTrue(held.outermost());
      ChildJvm.Finished withConfig =
          cli("locks-config", "locks", "--config", rules.toString(), "/deeplake");
      assertEquals(0, withConfig.exit, withConfig.toString());
      assertTrue(withConfig.stdout.contains("HOLDS  0 write"), withConfig.toString());

      ChildJvm.Finished anonymousCli =
          cli("locks-anonymous", "locks", "--zk", server.getConnectString(), "/team/deeplake");
      assertEquals(1, anonymousCli.exit, anonymousCli.toString());
      assertTrue(anonymousCli.stderr.contains("(NoAuth): pass --config"), anonymousCli.toString());

      ChildJvm.Finished check = cli("check", "check", "--config", rules.toString());
      assertEquals(0, check.exit, check.toString());
      for (ChildJvm.Finished r : List.of(withConfig, anonymousCli, check)) {
        SecretScan.assertNoSecret("CLI output", r.stdout + r.stderr, PASSWORD, CREDENTIALS);
      }
    }
  }

  @Test
  void configAndItsErrorsNeverShowTheSecret() throws Exception {
    AgentConfig config = RuleFile.parse("t.yaml", config("creator"), env(CREDENTIALS));
    ZooKeeperSecurity security = config.security();
    assertEquals("digest auth as 'agent', ACL creator, plaintext", security.describe());
    assertEquals("(hidden)", String.valueOf(security.digestCredentials()));
    RuleFileException literal =
        assertThrows(
            RuleFileException.class,
            () ->
                RuleFile.parse(
                    "t.yaml",
                    config("creator").replace("\"${ZK_DIGEST}\"", CREDENTIALS),
                    env(CREDENTIALS)));
    RuleFileException noColon =
        assertThrows(
            RuleFileException.class,
            () -> RuleFile.parse("t.yaml", config("creator"), env(PASSWORD)));
    assertTrue(noColon.getMessage().contains("ZK_DIGEST} must be user:password"));
    String everything =
        security
            + "\n"
            + security.describe()
            + "\n"
            + config.security().tls()
            + "\n"
            + stackTraceOf(literal)
            + "\n"
            + stackTraceOf(noColon);
    SecretScan.assertNoSecret("config and rules file errors", everything, PASSWORD, CREDENTIALS);
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static String config(String acl) {
    return """
        zookeeper:
          connect: "%s"
          sessionTimeout: 10s
          connectionTimeout: 5s
          namespace: team
          auth: {scheme: digest, credentials: "${ZK_DIGEST}"}
          acl: %s
        locks:
          root: /deeplake
          timeout: 5s
        rules:
          - name: writes
            class: com.example.Dataset
            methods: [append]
            lock: write
            dataset: arg0
        """
        .formatted(server.getConnectString(), acl);
  }

  private static java.util.function.Function<String, String> env(String credentials) {
    return name -> name.equals("ZK_DIGEST") ? credentials : null;
  }

  private static LockService start(String yaml, String credentials) throws Exception {
    LockService service = LockService.start(RuleFile.parse("test.yaml", yaml, env(credentials)));
    assertTrue(service.client().blockUntilConnected((int) WAIT_SECONDS, TimeUnit.SECONDS));
    return service;
  }

  private static LockCall call() {
    return new LockCall(
        "writes",
        "Dataset.append",
        "/data/ds",
        LockMode.WRITE,
        new LockPolicy(5_000, LockPolicy.OnTimeout.FAIL, true, LockPolicy.OnLockLost.THROW));
  }

  private static String lockPath(TestInfo test) {
    return LockPath.forDataset(
        "/deeplake", "/data/" + test.getTestMethod().orElseThrow().getName(), Paths.get("/"));
  }

  private static String onlyChild(CuratorFramework client, String path) throws Exception {
    List<String> children = client.getChildren().forPath(path);
    assertEquals(1, children.size(), children.toString());
    return children.get(0);
  }

  private static CuratorFramework connect(String digest) throws InterruptedException {
    CuratorFrameworkFactory.Builder builder =
        CuratorFrameworkFactory.builder()
            .connectString(server.getConnectString())
            .retryPolicy(new RetryOneTime(100));
    if (digest != null) {
      builder.authorization("digest", digest.getBytes(StandardCharsets.UTF_8));
    }
    CuratorFramework client = builder.build();
    client.start();
    assertTrue(client.blockUntilConnected((int) WAIT_SECONDS, TimeUnit.SECONDS));
    return client;
  }

  private ChildJvm.Finished cli(String name, String... args) throws Exception {
    return ChildJvm.named(name)
        .logsIn(dir)
        .main(io.deeplakelock.cli.Main.class, args)
        .env("ZK_DIGEST", CREDENTIALS)
        .run(Duration.ofSeconds(60));
  }

  private interface ZooKeeperCall {
    void run() throws Exception;
  }

  private static void assertNoAuth(ZooKeeperCall call) {
    assertThrows(KeeperException.NoAuthException.class, call::run);
  }

  private static String stackTraceOf(Throwable t) {
    java.io.StringWriter text = new java.io.StringWriter();
    t.printStackTrace(new java.io.PrintWriter(text));
    return text.toString();
  }

  /** Writes to two streams. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final ByteArrayOutputStream b;

    Tee(OutputStream a, ByteArrayOutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) {
      synchronized (b) {
        b.write(c);
      }
      try {
        a.write(c);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public void write(byte[] bytes, int off, int len) {
      synchronized (b) {
        b.write(bytes, off, len);
      }
      try {
        a.write(bytes, off, len);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }
}
