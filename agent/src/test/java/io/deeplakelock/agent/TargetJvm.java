package io.deeplakelock.agent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.attachtarget.AttachTarget;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A running {@link AttachTarget} service for the roll-out tests: each {@link #call()} makes one
 * guarded call and returns the line it printed. Also runs the agent's command line.
 */
final class TargetJvm implements AutoCloseable {

  private final Process process;
  private final Path stderr;
  private final Writer stdin;
  private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private TargetJvm(Process process, Path stderr) {
    this.process = process;
    this.stderr = stderr;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(this::pump, "target-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts the target with {@code java} and extra JVM options; waits for its READY line. */
  static TargetJvm start(String java, Path dir, String... jvmOptions) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("-Xshare:off");
    cmd.addAll(List.of(jvmOptions));
    cmd.add("-cp");
    cmd.add(Paths.get("target", "test-classes").toAbsolutePath().toString());
    cmd.add(AttachTarget.class.getName());
    cmd.add("/data/ds");
    Path stderr = dir.resolve("target.err");
    TargetJvm target =
        new TargetJvm(new ProcessBuilder(cmd).redirectError(stderr.toFile()).start(), stderr);
    String ready = target.next();
    assertTrue(ready.equals("READY"), ready);
    return target;
  }

  String pid() {
    return String.valueOf(process.pid());
  }

  /** Makes one guarded call and returns what it printed. */
  String call() throws Exception {
    stdin.write("call\n");
    stdin.flush();
    return next();
  }

  private String next() throws Exception {
    String line = lines.poll(60, TimeUnit.SECONDS);
    assertTrue(line != null, "the target printed nothing; its stderr:\n" + stderr());
    return line;
  }

  String stderr() throws IOException {
    return Files.readString(stderr);
  }

  /** Waits until the target's stderr holds {@code text} at least {@code times} times. */
  void awaitStderr(String text, int times) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      String err = stderr();
      if (err.split(java.util.regex.Pattern.quote(text), -1).length - 1 >= times) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, "no '" + text + "' x" + times + " in:\n" + err);
      Thread.onSpinWait();
    }
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

  @Override
  public void close() {
    process.destroyForcibly();
  }

  /** The output and exit status of one {@code java -jar deeplake-lock.jar ...} command. */
  static final class Cli {
    final int exit;
    final String output;

    private Cli(int exit, String output) {
      this.exit = exit;
      this.output = output;
    }

    static Cli run(String... args) throws Exception {
      List<String> cmd = new ArrayList<>();
      cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-jar");
      cmd.add(AgentStartupIT.ShadedJar.path());
      cmd.addAll(List.of(args));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "cli hung: " + out);
      return new Cli(p.exitValue(), out);
    }
  }
}
