package io.deeplakelock.testapp.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A lock-taking peer process (Python or JVM) whose stdout lines the test waits on. */
final class Peer implements AutoCloseable {

  private final String name;
  private final Process process;
  private final Path stderr;
  private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private Peer(String name, Process process, Path stderr) {
    this.name = name;
    this.process = process;
    this.stderr = stderr;
    Thread reader = new Thread(this::pump, name + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  static Peer start(String name, List<String> command, Map<String, String> env, Path dir)
      throws IOException {
    Path stderr = dir.resolve(name + ".err");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.to(stderr.toFile()));
    builder.environment().putAll(env);
    return new Peer(name, builder.start(), stderr);
  }

  private void pump() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lines.add(line);
      }
    } catch (IOException e) {
      lines.add("IO-ERROR " + e);
    }
    lines.add("EOF: the process closed its output"); // so a waiting test fails at once
  }

  /** Waits for the next line; fails the test with the peer's stderr when it does not come. */
  String next(String expectedPrefix, Duration timeout) throws Exception {
    String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (line == null || !line.startsWith(expectedPrefix)) {
      throw new AssertionError(
          name
              + ": expected '"
              + expectedPrefix
              + "...' within "
              + timeout
              + " but got "
              + (line == null ? "nothing" : "'" + line + "'")
              + "; stderr:\n"
              + stderrText());
    }
    return line;
  }

  /** True when no line arrives within {@code window}: the peer is still blocked. */
  boolean silentFor(Duration window) throws InterruptedException {
    String line = lines.poll(window.toMillis(), TimeUnit.MILLISECONDS);
    if (line != null) {
      throw new AssertionError(name + " was expected to block but printed '" + line + "'");
    }
    return true;
  }

  /** The lines that arrive within {@code window}, in order. */
  List<String> linesWithin(Duration window) throws InterruptedException {
    List<String> out = new ArrayList<>();
    long deadline = System.nanoTime() + window.toNanos();
    for (long left = window.toNanos(); left > 0; left = deadline - System.nanoTime()) {
      String line = lines.poll(left, TimeUnit.NANOSECONDS);
      if (line == null) {
        break;
      }
      out.add(line);
    }
    return out;
  }

  /** The millisecond timestamp at the end of a line such as {@code ACQUIRED 0 1700000000000}. */
  static long millis(String line) {
    return Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
  }

  int awaitExit(Duration timeout) throws Exception {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(name + " did not exit; stderr:\n" + stderrText());
    }
    return process.exitValue();
  }

  String stderrText() {
    try {
      return new String(Files.readAllBytes(stderr), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no stderr: " + e + ")";
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
