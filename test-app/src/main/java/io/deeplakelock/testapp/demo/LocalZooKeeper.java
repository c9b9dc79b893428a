package io.deeplakelock.testapp.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A standalone ZooKeeper server in a child JVM, listening on a free port of 127.0.0.1 only, with
 * its data in a scratch directory.
 *
 * <p>A separate process rather than an embedded server, so that the demo's JVM stays free of
 * ZooKeeper's threads and the children talk to the server the way they would in production. Public
 * for the lock benchmark in the test sources, which also reads the server's last zxid.
 */
public final class LocalZooKeeper implements AutoCloseable {
  private static final String MAIN = "org.apache.zookeeper.server.ZooKeeperServerMain";
  private static final long START_TIMEOUT_MILLIS = TimeUnit.SECONDS.toMillis(30);

  private final Process process;
  private final int port;
  private final Path log;
  private final List<String> settings;
  private String version = "?";

  private LocalZooKeeper(Process process, int port, Path log, List<String> settings) {
    this.process = process;
    this.port = port;
    this.log = log;
    this.settings = settings;
  }

  /**
   * Starts the server and returns once it answers {@code srvr} as a serving standalone server.
   *
   * @throws DemoException with the server's log if it exits or does not come up in time
   */
  static LocalZooKeeper start(Path dir, String java, String classpath)
      throws IOException, InterruptedException {
    return start(dir, java, classpath, false);
  }

  /**
   * Like {@link #start(Path, String, String)}; with {@code fsync} the server keeps its default
   * {@code forceSync=yes} (every transaction log write is fsynced, as in production), which
   * benchmarks of lock costs need.
   */
  public static LocalZooKeeper start(Path dir, String java, String classpath, boolean fsync)
      throws IOException, InterruptedException {
    Path data = Files.createDirectories(dir.resolve("data"));
    int port = freePort();
    Path config = dir.resolve("zoo.cfg");
    List<String> settings =
        new ArrayList<>(
            Arrays.asList(
                "tickTime=2000",
                "dataDir=" + data.toAbsolutePath(),
                "clientPort=" + port,
                // Unlike the two-argument form, a config file can keep other hosts out.
                "clientPortAddress=127.0.0.1",
                "admin.enableServer=false",
                "4lw.commands.whitelist=ruok,srvr",
                "maxClientCnxns=0"));
    if (!fsync) {
      // Throwaway data: an fsync per lock node would only measure the disk.
      settings.add("forceSync=no");
    }
    Files.write(config, settings, StandardCharsets.UTF_8);
    Path log = dir.resolve("server.log");
    Process process =
        new ProcessBuilder(
                java,
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-cp",
                classpath,
                MAIN,
                config.toAbsolutePath().toString())
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
            .start();
    LocalZooKeeper server =
        new LocalZooKeeper(process, port, log, Collections.unmodifiableList(settings));
    try {
      server.awaitServing();
    } catch (IOException | InterruptedException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** The connect string clients use: {@code 127.0.0.1:<port>}. */
  public String connectString() {
    return "127.0.0.1:" + port;
  }

  /** The version the server reported, e.g. {@code 3.9.3}. */
  public String version() {
    return version;
  }

  /** The lines of the server's {@code zoo.cfg}. */
  public List<String> settings() {
    return settings;
  }

  /** Two counters of the server at one instant, from one {@code srvr} answer. */
  public static final class Counters {
    /**
     * The id of the last transaction the server committed: the difference between two readings is
     * the number of writes in between.
     */
    public final long lastZxid;

    /** The requests received from clients since the server started (four-letter commands aside). */
    public final long received;

    Counters(long lastZxid, long received) {
      this.lastZxid = lastZxid;
      this.received = received;
    }
  }

  /**
   * The server's counters now, from {@code srvr}'s {@code Zxid:} and {@code Received:} lines.
   *
   * @throws IOException if the server does not answer, or its answer lacks either line
   */
  public Counters counters() throws IOException {
    String answer = ask("srvr");
    String zxid = null;
    String received = null;
    if (answer != null) {
      for (String line : answer.split("\n")) {
        if (line.startsWith("Zxid: 0x")) {
          zxid = line.substring("Zxid: 0x".length()).trim();
        } else if (line.startsWith("Received: ")) {
          received = line.substring("Received: ".length()).trim();
        }
      }
    }
    if (zxid == null || received == null) {
      throw new IOException(
          "ZooKeeper on " + connectString() + " gave no Zxid or Received count: " + answer);
    }
    return new Counters(Long.parseLong(zxid, 16), Long.parseLong(received));
  }

  /** The server's process: the lock benchmark reads its CPU time. */
  public Process process() {
    return process;
  }

  /** Stops the server, forcibly if it does not stop within ten seconds. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private void awaitServing() throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
    String lastAnswer = "no answer";
    while (System.currentTimeMillis() < deadline) {
      if (!process.isAlive()) {
        throw new DemoException(
            "ZooKeeper exited with status " + process.exitValue() + " while starting",
            "zookeeper",
            logTail());
      }
      String answer = ask("srvr");
      if (answer != null && answer.contains("Mode: standalone")) {
        version = versionIn(answer);
        return;
      }
      lastAnswer = answer == null ? "connection refused" : answer.trim();
      Thread.sleep(100);
    }
    throw new DemoException(
        "ZooKeeper did not start serving on "
            + connectString()
            + " within "
            + START_TIMEOUT_MILLIS / 1000
            + " s (last answer: "
            + lastAnswer
            + ")",
        "zookeeper",
        logTail());
  }

  /** Sends a four-letter command and returns the answer, or null if nobody is listening yet. */
  private String ask(String command) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(loopback(), port), 1000);
      socket.setSoTimeout(2000);
      OutputStream out = socket.getOutputStream();
      out.write(command.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder answer = new StringBuilder();
      byte[] buffer = new byte[1024];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        answer.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
      }
      return answer.toString();
    } catch (IOException e) {
      return null;
    }
  }

  private static String versionIn(String srvr) {
    for (String line : srvr.split("\n")) {
      if (line.startsWith("Zookeeper version: ")) {
        String version = line.substring("Zookeeper version: ".length());
        int dash = version.indexOf('-');
        return dash > 0 ? version.substring(0, dash) : version;
      }
    }
    return "?";
  }

  private List<String> logTail() {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return new ArrayList<>(all.subList(Math.max(0, all.size() - 20), all.size()));
    } catch (IOException e) {
      return Collections.singletonList("(cannot read " + log + ": " + e + ")");
    }
  }

  private static InetAddress loopback() throws IOException {
    return InetAddress.getByName("127.0.0.1");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, loopback())) {
      return socket.getLocalPort();
    }
  }
}
