package io.deeplakelock.testapp.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The coordinator's handle on one {@link BenchWorker} JVM: sends commands to its standard input,
 * waits for protocol lines from its standard output (read by a thread of its own), and keeps its
 * standard error in a file to show when it fails. Every started worker is tracked until closed, so
 * a shutdown hook can kill whatever is left ({@link #killAll}).
 */
final class WorkerProcess implements AutoCloseable {

  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  /** Put on the queue when standard output ends. */
  private static final String END = "\u0000end";

  private final String name;
  private final Process process;
  private final Path stderr;
  private final PrintWriter in;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private WorkerProcess(String name, Process process, Path stderr) {
    this.name = name;
    this.process = process;
    this.stderr = stderr;
    this.in =
        new PrintWriter(
            new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8),
            true);
  }

  static WorkerProcess start(String name, List<String> command, Path stderr) throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.to(stderr.toFile()));
    builder.environment().remove("DEEPLAKE_LOCK_LOG");
    Process process = builder.start();
    LIVE.add(process);
    WorkerProcess worker = new WorkerProcess(name, process, stderr);
    Thread reader = new Thread(worker::readOutput, name + "-stdout");
    reader.setDaemon(true);
    reader.start();
    return worker;
  }

  /** Kills every worker not yet closed; for the coordinator's shutdown hook. */
  static void killAll() {
    for (Process process : LIVE) {
      process.destroyForcibly();
    }
  }

  String name() {
    return name;
  }

  Path stderr() {
    return stderr;
  }

  void send(String command) {
    in.println(command);
  }

  /**
   * Returns the next protocol line, which must start with {@code word}; fails on any other line, on
   * {@code FAILED}, when the worker exits, or after {@code timeoutNanos}.
   */
  String await(String word, long timeoutNanos) throws WorkerFailure, InterruptedException {
    String line = lines.poll(timeoutNanos, TimeUnit.NANOSECONDS);
    if (line != null && (line.equals(word) || line.startsWith(word + " "))) {
      return line;
    }
    String what;
    if (line == null) {
      what =
          "did not answer "
              + word
              + " within "
              + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos)
              + " s";
    } else if (line.equals(END)) {
      what = "exited" + exitStatus() + " instead of answering " + word;
    } else {
      what = "answered '" + line + "' instead of " + word;
    }
    // A worker that is going down (a refused rules file) may still be writing why.
    process.waitFor(2, TimeUnit.SECONDS);
    throw new WorkerFailure(name + " " + what + " (stderr: " + stderr + ")", stderrTail(15));
  }

  /** The last {@code n} lines of the worker's standard error. */
  List<String> stderrTail(int n) {
    try {
      List<String> all = Files.readAllLines(stderr, StandardCharsets.UTF_8);
      return new ArrayList<>(all.subList(Math.max(0, all.size() - n), all.size()));
    } catch (IOException e) {
      return List.of("(cannot read " + stderr + ": " + e + ")");
    }
  }

  /** Asks the worker to quit (closing its ZooKeeper session), then kills it after ten seconds. */
  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        send("QUIT");
        in.close();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      process.destroyForcibly();
      LIVE.remove(process);
    }
  }

  private String exitStatus() {
    try {
      return process.waitFor(5, TimeUnit.SECONDS) ? " with status " + process.exitValue() : "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private void readOutput() {
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        lines.add(line);
      }
    } catch (IOException e) {
      // The stream closes when the process is killed; END tells the waiter.
    } finally {
      lines.add(END);
    }
  }
}
