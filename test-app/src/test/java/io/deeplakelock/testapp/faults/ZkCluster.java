package io.deeplakelock.testapp.faults;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;

/**
 * A three-server ZooKeeper ensemble in this JVM (curator-test's {@link TestingCluster}) on
 * 127.0.0.1, with a short tick so that short session timeouts are allowed, and the handles the
 * faults need: which server leads, kill and restart, and closing a client's session on the server.
 */
final class ZkCluster implements AutoCloseable {
  private static final int SERVERS = 3;
  private static final int SOCKET_TIMEOUT_MS = 1000;

  private final TestingCluster cluster;
  private final List<InstanceSpec> specs;

  private ZkCluster(TestingCluster cluster, List<InstanceSpec> specs) {
    this.cluster = cluster;
    this.specs = specs;
  }

  /**
   * Starts the ensemble; sessions may then last 2 to 20 ticks.
   *
   * <p>The servers are configured the classic way, {@code server.N=host:quorumPort:electionPort}
   * plus {@code clientPort}, so that the ensemble configuration ZooKeeper publishes to clients
   * ({@code /zookeeper/config}) names no client addresses. Otherwise Curator's ensemble tracker,
   * which the agent's client runs, replaces the connect string a child was given (its proxy) with
   * the servers' own addresses on the first reconnection, and the proxy could no longer cut it off.
   */
  static ZkCluster start(Path dir, int tickMillis) throws Exception {
    List<InstanceSpec> random = new ArrayList<>();
    Map<String, Object> servers = new HashMap<>();
    for (int id = 1; id <= SERVERS; id++) {
      Path data = Files.createDirectories(dir.resolve("server-" + id));
      InstanceSpec spec = new InstanceSpec(data.toFile(), -1, -1, -1, true, id, tickMillis, -1);
      random.add(spec);
      servers.put(
          "server." + id, "127.0.0.1:" + spec.getQuorumPort() + ":" + spec.getElectionPort());
    }
    List<InstanceSpec> specs = new ArrayList<>();
    for (InstanceSpec spec : random) {
      specs.add(
          new InstanceSpec(
              spec.getDataDirectory(),
              spec.getPort(),
              spec.getElectionPort(),
              spec.getQuorumPort(),
              true,
              spec.getServerId(),
              tickMillis,
              -1,
              servers,
              "127.0.0.1"));
    }
    TestingCluster cluster = new TestingCluster(specs);
    cluster.start();
    ZkCluster started = new ZkCluster(cluster, specs);
    started.awaitLeader(Duration.ofSeconds(60));
    return started;
  }

  String connectString() {
    return cluster.getConnectString();
  }

  List<Integer> clientPorts() {
    List<Integer> ports = new ArrayList<>();
    for (InstanceSpec spec : specs) {
      ports.add(spec.getPort());
    }
    return ports;
  }

  /** The server that currently leads, waiting for an election to finish. */
  InstanceSpec awaitLeader(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    do {
      for (InstanceSpec spec : specs) {
        if ("leader".equals(mode(spec))) {
          return spec;
        }
      }
      Waits.pause();
    } while (System.nanoTime() - deadline < 0);
    throw new AssertionError("no ZooKeeper server became leader within " + timeout);
  }

  /** Waits until {@code spec} serves clients again, as leader or follower. */
  void awaitServing(InstanceSpec spec, Duration timeout) {
    Waits.until(
        "server " + spec.getServerId() + " serving",
        timeout,
        () -> {
          String mode = mode(spec);
          return "leader".equals(mode) || "follower".equals(mode);
        });
  }

  void kill(InstanceSpec spec) throws Exception {
    if (!cluster.killServer(spec)) {
      throw new AssertionError("could not kill server " + spec.getServerId());
    }
  }

  void restart(InstanceSpec spec) throws Exception {
    if (!cluster.restartServer(spec)) {
      throw new AssertionError("could not restart server " + spec.getServerId());
    }
  }

  /**
   * Closes a client's session on the server it is connected to, through that connection's JMX bean
   * ({@code terminateSession}): its ephemeral nodes go at once, while the client still believes it
   * holds them until it hears from the server.
   *
   * @return false when no server had a connection of that session within the timeout
   */
  boolean terminateSession(long sessionId, Duration timeout) throws JMException {
    MBeanServer beans = ManagementFactory.getPlatformMBeanServer();
    String session = "0x" + Long.toHexString(sessionId);
    ObjectName pattern = new ObjectName("org.apache.ZooKeeperService:*");
    long deadline = System.nanoTime() + timeout.toNanos();
    do {
      for (ObjectName name : beans.queryNames(pattern, null)) {
        if ("Connections".equals(name.getKeyProperty("name3"))
            && session.equals(name.getKeyProperty("name5"))) {
          beans.invoke(name, "terminateSession", new Object[0], new String[0]);
          return true;
        }
      }
      Waits.pause();
    } while (System.nanoTime() - deadline < 0);
    return false;
  }

  /**
   * The server's {@code Mode:} from the {@code srvr} four-letter command, or null if it is down.
   */
  private static String mode(InstanceSpec spec) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", spec.getPort()), SOCKET_TIMEOUT_MS);
      socket.setSoTimeout(SOCKET_TIMEOUT_MS);
      socket.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
      String reply = readAll(socket.getInputStream());
      for (String line : reply.split("\n")) {
        if (line.startsWith("Mode: ")) {
          return line.substring("Mode: ".length()).trim();
        }
      }
      return null;
    } catch (IOException e) {
      return null;
    }
  }

  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[1024];
    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
      out.write(buffer, 0, n);
    }
    return out.toString(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException {
    cluster.close();
  }
}
