package io.deeplakelock.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.bridge.DatasetLockException;
import io.deeplakelock.bridge.LockMode;
import io.deeplakelock.bridge.LockTimeoutException;
import io.deeplakelock.lock.DatasetLock;
import io.deeplakelock.lock.HeldLock;
import io.deeplakelock.lock.LockCall;
import io.deeplakelock.lock.LockService;
import io.deeplakelock.rules.LockPolicy;
import io.deeplakelock.rules.RuleFile;
import io.deeplakelock.testsupport.AgentJar;
import io.deeplakelock.testsupport.ChildJvm;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.server.ZooKeeperServerMain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS and SASL against a real ZooKeeper server in its own JVM (its TLS and SASL settings are
 * JVM-wide system properties, which must not leak into the test's clients): a plaintext client is
 * refused by the TLS port while the agent's TLS client locks, hostname verification is on, and the
 * shaded agent in a service JVM authenticates with SASL over TLS without showing a secret.
 */
class TlsSaslIT {

  private static final String SASL_PASSWORD = "sasl-" + UUID.randomUUID();

  @TempDir static Path dir;

  private static TestCertificates certs;
  private static Path clientJaas;
  private static Process server;
  private static int plainPort;
  private static int tlsPort;

  @BeforeAll
  static void startTlsServer() throws Exception {
    certs = new TestCertificates(dir);
    Path serverJaas = dir.resolve("server-jaas.conf");
    Files.writeString(
        serverJaas,
        "Server {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n"
            + "  user_agent=\""
            + SASL_PASSWORD
            + "\";\n};\n");
    // For the agent in a service JVM: its ZooKeeper (and so the login module) is relocated.
    clientJaas = dir.resolve("client-jaas.conf");
    Files.writeString(
        clientJaas,
        "DeeplakeLock {\n"
            + "  io.deeplakelock.shaded.zookeeper.server.auth.DigestLoginModule required\n"
            + "  username=\"agent\"\n  password=\""
            + SASL_PASSWORD
            + "\";\n};\n");
    plainPort = freePort();
    tlsPort = freePort();
    Path zooCfg = dir.resolve("zoo.cfg");
    Files.writeString(
        zooCfg,
        String.join(
            "\n",
            "tickTime=500",
            "dataDir=" + dir.resolve("data"),
            "clientPort=" + plainPort,
            "clientPortAddress=127.0.0.1",
            "secureClientPort=" + tlsPort,
            "secureClientPortAddress=127.0.0.1",
            "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory",
            "ssl.keyStore.location=" + certs.serverKeyStore,
            "ssl.keyStore.password=" + certs.serverPassword,
            "ssl.trustStore.location=" + certs.serverTrustStore,
            "ssl.trustStore.password=" + certs.serverTrustPassword,
            "ssl.clientAuth=need",
            "authProvider.sasl=org.apache.zookeeper.server.auth.SASLAuthenticationProvider",
            "admin.enableServer=false",
            ""));
    server =
        ChildJvm.named("server")
            .jvmOptions("-Djava.security.auth.login.config=" + serverJaas)
            .main(ZooKeeperServerMain.class, zooCfg.toString())
            .stdoutTo(dir.resolve("server.out"))
            .stderrTo(dir.resolve("server.err"))
            .start()
            .process();
    try (CuratorFramework plain = plainClient("127.0.0.1:" + plainPort)) {
      assertTrue(
          plain.blockUntilConnected(30, TimeUnit.SECONDS),
          () -> "ZooKeeper did not start: " + read(dir.resolve("server.err")));
    }
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.destroy();
      assertTrue(server.waitFor(30, TimeUnit.SECONDS));
    }
  }

  @Test
  void agentLocksOverTlsWhereAPlaintextClientIsRefused() throws Exception {
    try (LockService agent = LockService.start(RuleFile.parse("tls.yaml", rules(""), env()))) {
      // (In an IT, LockService comes from the shaded jar: only its JDK-typed API is usable.)
      try (HeldLock held = agent.lock("/deeplake/tls-ok").acquire(call(20_000))) {
        assertTrue(held.info().token() > 0, "a lock node was created");
      }
      assertEquals("CONNECTED", agent.connectionState());
    }
    try (CuratorFramework plaintext = plainClient("127.0.0.1:" + tlsPort)) {
      assertFalse(
          plaintext.blockUntilConnected(3, TimeUnit.SECONDS),
          "a plaintext client must not get a session on the TLS port");
    }
  }

  @Test
  void hostnameVerificationRefusesACertificateThatDoesNotNameTheHost() throws Exception {
    // The server's certificate names IP 127.0.0.1 only; "localhost" reaches the same server.
    String viaLocalhost = rules("").replace("127.0.0.1:" + tlsPort, "localhost:" + tlsPort);
    try (LockService agent = LockService.start(RuleFile.parse("t.yaml", viaLocalhost, env()))) {
      LockTimeoutException e =
          assertThrows(
              LockTimeoutException.class,
              () -> agent.lock("/deeplake/tls-wrong-host").acquire(call(3_000)));
      assertTrue(e.getMessage().contains("is not reachable over TLS"), e.getMessage());
    }
    String unverified =
        viaLocalhost.replace("hostnameVerification: true", "hostnameVerification: false");
    try (LockService agent = LockService.start(RuleFile.parse("t.yaml", unverified, env()));
        HeldLock held = agent.lock("/deeplake/tls-unverified").acquire(call(20_000))) {
      assertTrue(held.outermost(), "the same server is accepted once the name is not checked");
    }
  }

  @Test
  void shadedAgentAuthenticatesWithSaslOverTlsAndShowsNoSecret() throws Exception {
    Path rules = dir.resolve("sasl.yaml");
    Files.writeString(rules, rules(sasl()));
    ChildJvm service =
        service(rules, List.of("-Djava.security.auth.login.config=" + clientJaas), "wait");
    List<String> stdout = new ArrayList<>();
    String statusOutput;
    try {
      readUntilReady(service, stdout);
      assertTrue(stdout.contains("wrote /data/vault"), () -> stdout + serviceErr());

      // Every node it made is the agent's: an anonymous client can neither add nor remove one.
      try (CuratorFramework anonymous = plainClient("127.0.0.1:" + plainPort)) {
        assertTrue(anonymous.blockUntilConnected(10, TimeUnit.SECONDS));
        assertThrows(
            KeeperException.NoAuthException.class,
            () -> anonymous.create().forPath("/sasl/deeplake/intruder"));
        assertThrows(
            KeeperException.NoAuthException.class,
            () -> anonymous.delete().forPath("/sasl/deeplake/%2Fdata%2Fvault"));
      }

      ChildJvm.Finished status =
          ChildJvm.named("status")
              .logsIn(dir)
              .command(
                  List.of(
                      ChildJvm.JAVA,
                      "-jar",
                      AgentJar.path().toString(),
                      "status",
                      String.valueOf(service.pid())))
              .run(Duration.ofSeconds(60));
      assertEquals(0, status.exit, status.toString());
      statusOutput = status.stdout + status.stderr;
    } finally {
      service.closeInput(); // lets the service exit
      assertTrue(service.process().waitFor(30, TimeUnit.SECONDS), "the service did not exit");
    }
    String stderr = serviceErr();
    assertTrue(stderr.contains("TRACE"), "the service ran with trace logging: " + stderr);
    List<String> secrets = new ArrayList<>(certs.passwords());
    secrets.add(SASL_PASSWORD);
    String[] all = secrets.toArray(new String[0]);
    SecretScan.assertNoSecret("the service's stderr (trace)", stderr, all);
    SecretScan.assertNoSecret("the service's stdout", String.join("\n", stdout), all);
    SecretScan.assertNoSecret("status", statusOutput, all);
  }

  @Test
  void saslWithoutTheJaasFileInTheJvmRefusesToLockAndSaysWhatToAdd() throws Exception {
    Path rules = dir.resolve("sasl-no-jaas.yaml");
    Files.writeString(rules, rules(sasl()));
    ChildJvm service = service(rules, List.of());
    List<String> stdout = new ArrayList<>();
    readUntilReady(service, stdout);
    assertTrue(service.process().waitFor(30, TimeUnit.SECONDS));
    String refusal = String.join("\n", stdout);
    assertTrue(refusal.startsWith("refused: io.deeplakelock.bridge.DatasetLockException"), refusal);
    assertTrue(refusal.contains("has no section 'DeeplakeLock'"), refusal);
    assertTrue(refusal.contains("-Djava.security.auth.login.config=" + clientJaas), refusal);
  }

  /**
   * A call that is already waiting when ZooKeeper's SASL login fails is refused too: ZooKeeper goes
   * on without SASL where the server lets it, so the call's node would otherwise be granted to an
   * unauthenticated session (a CI run hit this order by chance, as a service's first call raced the
   * agent's connection).
   *
   * <p>This JVM has no JAAS configuration, so the login fails. Holding the monitor of JAAS's {@code
   * Configuration} class stops ZooKeeper's connecting thread just before it finds that out ({@code
   * Configuration.getConfiguration()} synchronizes on that class), so the call queues first.
   */
  @Test
  void aCallWaitingWhenTheSaslLoginFailsIsRefused() throws Exception {
    String rules = rules(sasl());
    try (LockService agent = LockService.start(RuleFile.parse("sasl.yaml", rules, env()))) {
      DatasetLock lock = agent.lock("/deeplake/sasl-login-race");
      CompletableFuture<Throwable> outcome = new CompletableFuture<>();
      Thread caller =
          new Thread(
              () -> {
                try {
                  lock.acquire(call(20_000)).close();
                  outcome.complete(null);
                } catch (Throwable t) {
                  outcome.complete(t);
                }
              },
              "sasl-race-caller");
      synchronized (javax.security.auth.login.Configuration.class) {
        caller.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!lock.waiters().contains(caller.getName()) && !outcome.isDone()) {
          assertTrue(System.nanoTime() < deadline, "the call never queued for the lock");
          Thread.onSpinWait();
        }
      }
      Throwable refused = outcome.get(30, TimeUnit.SECONDS);
      assertTrue(refused instanceof DatasetLockException, () -> "the call ran: " + refused);
      assertTrue(
          refused.getMessage().contains("has no section 'DeeplakeLock'"), refused.getMessage());
      assertTrue(refused.getMessage().endsWith("The call was not run."), refused.getMessage());
    }
  }

  @Test
  void shippedSecureConfigAuthenticatesOverTlsAndGuardsACall() throws Exception {
    // config/secure-zookeeper.yaml as shipped, but for the test's stores: the trust store path,
    // and the client certificate it shows commented out (this server asks for one).
    String shipped = Files.readString(Paths.get("..", "config", "secure-zookeeper.yaml"));
    String text =
        shipped
            .replace("/etc/deeplake-lock/zk-truststore.p12", certs.clientTrustStore.toString())
            .replace(
                "# keyStore: /etc/deeplake-lock/zk-client.p12", "keyStore: " + certs.clientKeyStore)
            .replace("# keyStorePassword:", "keyStorePassword:");
    assertTrue(text.contains("keyStore: " + certs.clientKeyStore), "the file changed: " + text);
    // Its rules guard the test-app's Dataset; this service's guarded class is added.
    text +=
        "  - name: vault-writes\n"
            + "    class: io.deeplakelock.security.SecureService$Vault\n"
            + "    methods: [write]\n"
            + "    lock: write\n"
            + "    dataset: arg0\n";
    Path rules = dir.resolve("secure-zookeeper.yaml");
    Files.writeString(rules, text);
    String digest = "deeplake-agent:" + UUID.randomUUID();
    Map<String, String> env =
        Map.of("DEEPLAKE_LOCK_ZK", "127.0.0.1:" + tlsPort, "ZK_DIGEST", digest);

    ChildJvm service = service(rules, List.of(), env, "wait");
    List<String> stdout = new ArrayList<>();
    try {
      readUntilReady(service, stdout);
      assertTrue(stdout.contains("wrote /data/vault"), () -> stdout + serviceErr());
      // acl: creator: the lock path the agent made belongs to the digest identity alone (its
      // parent may be older: other tests here lock under /deeplake with an open ACL).
      try (CuratorFramework anonymous = plainClient("127.0.0.1:" + plainPort)) {
        assertTrue(anonymous.blockUntilConnected(10, TimeUnit.SECONDS));
        assertThrows(
            KeeperException.NoAuthException.class,
            () -> anonymous.create().forPath("/deeplake/%2Fdata%2Fvault/intruder"));
      }
    } finally {
      service.closeInput();
      assertTrue(service.process().waitFor(30, TimeUnit.SECONDS), "the service did not exit");
    }
    SecretScan.assertNoSecret("the service's stderr", serviceErr(), digest.substring(15));
  }

  // ---- helpers ------------------------------------------------------------------------------

  /**
   * SASL with the JAAS section the client JAAS file has. The server principal is given because
   * without it ZooKeeper looks up a host name for 127.0.0.1 (for Kerberos), and TLS would then
   * verify that name instead of the address.
   */
  private static String sasl() {
    return "  namespace: sasl\n  auth: {scheme: sasl, jaasFile: "
        + clientJaas
        + ", section: DeeplakeLock, serverPrincipal: zookeeper/127.0.0.1}\n";
  }

  /** A rules file for the TLS port, with extra zookeeper keys. */
  private static String rules(String zookeeperExtra) {
    return """
        zookeeper:
          connect: "127.0.0.1:%d"
          sessionTimeout: 10s
          connectionTimeout: 5s
        %s  tls:
            keyStore: %s
            keyStorePassword: "${ZK_KEYSTORE_PASSWORD}"
            trustStore: %s
            trustStorePassword: "${ZK_TRUSTSTORE_PASSWORD}"
            hostnameVerification: true
        locks:
          root: /deeplake
          timeout: 20s
        rules:
          - name: vault-writes
            class: io.deeplakelock.security.SecureService$Vault
            methods: [write]
            lock: write
            dataset: arg0
        """
        .formatted(tlsPort, zookeeperExtra, certs.clientKeyStore, certs.clientTrustStore);
  }

  private static Map<String, String> environment() {
    return Map.of(
        "ZK_KEYSTORE_PASSWORD", certs.clientPassword,
        "ZK_TRUSTSTORE_PASSWORD", certs.clientTrustPassword,
        "DEEPLAKE_LOCK_LOG", "trace");
  }

  private static Function<String, String> env() {
    return environment()::get;
  }

  private static LockCall call(long timeoutMillis) {
    return new LockCall(
        "vault-writes",
        "Vault.write",
        "/data/vault",
        LockMode.WRITE,
        new LockPolicy(
            timeoutMillis, LockPolicy.OnTimeout.FAIL, true, LockPolicy.OnLockLost.THROW));
  }

  /**
   * A service JVM under the shaded agent, with only itself on the class path, so the agent's
   * relocated ZooKeeper is the one that runs.
   */
  private static ChildJvm service(Path rules, List<String> jvmFlags, String... extraArgs)
      throws Exception {
    return service(rules, jvmFlags, Map.of(), extraArgs);
  }

  private static ChildJvm service(
      Path rules, List<String> jvmFlags, Map<String, String> extraEnv, String... extraArgs)
      throws Exception {
    return ChildJvm.named("service")
        .agent(AgentJar.path(), rules)
        .jvmOptions(jvmFlags)
        .classPath(ChildJvm.classPathEntryOf(SecureService.class).toString())
        .main(SecureService.class, concat("/data/vault", extraArgs))
        .env(environment())
        .env(extraEnv)
        .stderrTo(dir.resolve("service.err"))
        .start();
  }

  private static String[] concat(String first, String... rest) {
    List<String> all = new ArrayList<>();
    all.add(first);
    all.addAll(List.of(rest));
    return all.toArray(new String[0]);
  }

  /** Reads the service's stdout up to its "ready" line, for at most 60 s. */
  private static void readUntilReady(ChildJvm service, List<String> lines) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      String line = service.nextLine(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      if (line == null) {
        throw new TimeoutException("no ready line within 60 s");
      }
      if (line.equals(ChildJvm.EOF)) {
        return;
      }
      synchronized (lines) {
        lines.add(line);
      }
      if (line.equals("ready")) {
        return;
      }
    }
  }

  private static String serviceErr() {
    return read(dir.resolve("service.err"));
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }

  private static CuratorFramework plainClient(String connect) {
    CuratorFramework client =
        CuratorFrameworkFactory.newClient(connect, 10_000, 2_000, new RetryOneTime(100));
    client.start();
    return client;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
