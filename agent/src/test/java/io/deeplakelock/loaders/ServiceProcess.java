package io.deeplakelock.loaders;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.deeplakelock.testsupport.ChildJvm;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The loader ITs' service in a child JVM, driven line by line: one command on stdin, one line back
 * on stdout (see {@code io.deeplakelock.loaders.app.ServiceMain}). Its stderr goes to a file.
 */
final class ServiceProcess implements AutoCloseable {

  private static final Duration WAIT = Duration.ofSeconds(60);

  private final ChildJvm child;

  private ServiceProcess(ChildJvm child) {
    this.child = child;
  }

  /**
   * Starts the service in {@code dir} with {@code DEEPLAKE_LOCK_LOG=debug}, so that the agent lists
   * every method it instruments.
   */
  static ServiceProcess start(ChildJvm.Builder service, Path dir) throws IOException {
    return new ServiceProcess(
        service
            .directory(dir)
            .stderrTo(dir.resolve("service.err"))
            .env("DEEPLAKE_LOCK_LOG", "debug")
            .start());
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
    child.send(command);
  }

  /** The next line on stdout; fails with the service's stderr if none comes within a minute. */
  String next() throws Exception {
    String line = child.nextLine(WAIT);
    if (line == null) {
      fail("the service printed nothing for " + WAIT.toSeconds() + " s" + this);
    }
    return line;
  }

  /** Whether the service has printed a line that no one has read yet. */
  boolean hasUnreadOutput() {
    return child.hasUnreadOutput();
  }

  /** Closes stdin, which ends the service, and returns its exit status. */
  int finish() throws Exception {
    child.closeInput();
    return child.awaitExit(WAIT);
  }

  /** What the service and the agent printed on stderr so far. */
  String stderr() {
    return child.stderr();
  }

  /** The agent's ERROR lines on stderr so far, each with the line after it (the exception). */
  String agentErrors() {
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
    child.close();
  }

  @Override
  public String toString() {
    return "\n--- unread stdout\n"
        + String.join("\n", child.unreadLines())
        + "\n--- stderr\n"
        + stderr();
  }
}
