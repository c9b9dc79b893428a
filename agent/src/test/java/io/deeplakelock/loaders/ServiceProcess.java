package io.deeplakelock.loaders;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The loader ITs' service in a child JVM, driven line by line: one command on stdin, one line back
 * on stdout (see {@code io.deeplakelock.loaders.app.ServiceMain}). Its stderr goes to a file.
 */
final class ServiceProcess implements AutoCloseable {

  private static final long WAIT_SECONDS = 60;

  private final Process process;
  private final Writer stdin;
  private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final Path stderr;

  private ServiceProcess(Process process, Path stderr) {
    this.process = process;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    this.stderr = stderr;
    Thread reader = new Thread(this::pump, "service-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code command} in {@code dir} with {@code DEEPLAKE_LOCK_LOG=debug}, so that the agent
   * lists every method it instruments.
   */
  static ServiceProcess start(List<String> command, Path dir) throws IOException {
    Path stderr = dir.resolve("service.err");
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(dir.toFile()).redirectError(stderr.toFile());
    builder.environment().put("DEEPLAKE_LOCK_LOG", "debug");
    return new ServiceProcess(builder.start(), stderr);
  }

  /** The {@code FACT key=value} lines the service prints at start, up to its {@code READY}. */
  Map<String, String> factsUntilReady() throws Exception {
    Map<String, String> facts = new LinkedHashMap<>();
    for (String line = next(); !line.equals("READY"); line = next()) {
      assertTrue(line.startsWith("FACT ") && line.contains("="), "unexpected line: " + line + this);
      int eq = line.indexOf('=');
      facts.put(line.substring("FACT ".length(), eq), line.substring(eq + 1));
    }
    return facts;
  }

  /** Sends one command and returns the service's answer. */
  String call(String command) throws Exception {
    send(command);
    return next();
  }

  /** Sends one command without waiting for its answer. */
  void send(String command) throws IOException {
    stdin.write(command + "\n");
    stdin.flush();
  }

  /** The next line on stdout; fails with the service's stderr if none comes within a minute. */
  String next() throws Exception {
    String line = lines.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    if (line == null) {
      fail("the service printed nothing for " + WAIT_SECONDS + " s" + this);
    }
    return line;
  }

  /** Whether the service has printed a line that no one has read yet. */
  boolean hasUnreadOutput() {
    return !lines.isEmpty();
  }

  /** Closes stdin, which ends the service, and returns its exit status. */
  int finish() throws Exception {
    stdin.close();
    if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
      fail("the service did not exit" + this);
    }
    return process.exitValue();
  }

  /** What the service and the agent printed on stderr so far. */
  String stderr() throws IOException {
    return new String(Files.readAllBytes(stderr), StandardCharsets.UTF_8);
  }

  /** The agent's ERROR lines on stderr so far, each with the line after it (the exception). */
  String agentErrors() throws IOException {
    String[] err = stderr().split("\n", -1);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < err.length; i++) {
      if (err[i].contains(" deeplake-lock ERROR ")) {
        out.append(err[i]).append('\n');
        if (i + 1 < err.length) {
          out.append(err[i + 1]).append('\n');
        }
      }
    }
    return out.toString();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }

  @Override
  public String toString() {
    String err;
    try {
      err = stderr();
    } catch (IOException e) {
      err = e.toString();
    }
    return "\n--- unread stdout\n" + String.join("\n", lines) + "\n--- stderr\n" + err;
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
  }
}
