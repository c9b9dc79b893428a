package io.deeplakelock.testapp.bench;

import io.deeplakelock.testsupport.ChildJvm;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The coordinator's handle on one {@link BenchWorker} JVM: sends commands to its standard input,
 * waits for protocol lines from its standard output, and keeps its standard error in a file to show
 * when it fails. Every started worker is tracked until closed, so a shutdown hook can kill whatever
 * is left ({@link #killAll}).
 */
final class WorkerProcess implements AutoCloseable {

  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  private final ChildJvm child;

  private WorkerProcess(ChildJvm child) {
    this.child = child;
  }

  /** Starts a worker without the caller's {@code DEEPLAKE_LOCK_LOG}. */
  static WorkerProcess start(ChildJvm.Builder worker) throws IOException {
    ChildJvm child = worker.unsetEnv("DEEPLAKE_LOCK_LOG").start();
    LIVE.add(child.process());
    return new WorkerProcess(child);
  }

  /** Kills every worker not yet closed; for the coordinator's shutdown hook. */
  static void killAll() {
    for (Process process : LIVE) {
      process.destroyForcibly();
    }
  }

  String name() {
    return child.name();
  }

  /** The worker process, for its CPU time ({@link CpuTime}). */
  Process process() {
    return child.process();
  }

  Path stderr() {
    return child.stderrFile();
  }

  void send(String command) {
    try {
      child.send(command);
    } catch (IOException e) {
      // As a PrintWriter would: a worker that is gone shows up in the next await.
    }
  }

  /**
   * Returns the next protocol line, which must start with {@code word}; fails on any other line, on
   * {@code FAILED}, when the worker exits, or after {@code timeoutNanos}.
   */
  String await(String word, long timeoutNanos) throws WorkerFailure, InterruptedException {
    String line = child.nextLine(Duration.ofNanos(timeoutNanos));
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
    } else if (line.equals(ChildJvm.EOF)) {
      what = "exited" + exitStatus() + " instead of answering " + word;
    } else {
      what = "answered '" + line + "' instead of " + word;
    }
    // A worker that is going down (a refused rules file) may still be writing why.
    child.process().waitFor(2, TimeUnit.SECONDS);
    throw new WorkerFailure(name() + " " + what + " (stderr: " + stderr() + ")", stderrTail(15));
  }

  /** The last {@code n} lines of the worker's standard error. */
  List<String> stderrTail(int n) {
    return child.stderrTail(n);
  }

  /** Asks the worker to quit (closing its ZooKeeper session), then kills it after ten seconds. */
  @Override
  public void close() {
    Process process = child.process();
    try {
      if (process.isAlive()) {
        send("QUIT");
        child.closeInput();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // Its input is already closed: it is going down; it is killed below either way.
    } finally {
      process.destroyForcibly();
      LIVE.remove(process);
    }
  }

  private String exitStatus() {
    try {
      Process process = child.process();
      return process.waitFor(5, TimeUnit.SECONDS) ? " with status " + process.exitValue() : "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }
}
