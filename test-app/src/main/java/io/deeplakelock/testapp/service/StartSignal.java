package io.deeplakelock.testapp.service;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/**
 * The start line shared by concurrent workload processes: each prints {@code READY} once it is set
 * up, then waits for a "go" file, so that all of them begin their operations together.
 */
final class StartSignal {
  /** How long a process waits for the go file before giving up. */
  private static final long TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(2);

  private final Path goFile;

  StartSignal(String goFile) {
    this.goFile = Paths.get(goFile);
  }

  /** Prints {@code READY} and returns as soon as the go file exists. */
  void readyAndAwait(PrintStream out) throws InterruptedException {
    out.println("READY");
    out.flush();
    long deadline = System.nanoTime() + TIMEOUT_NANOS;
    // Polling every millisecond keeps the start skew between processes at about a millisecond.
    while (!Files.exists(goFile)) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("go file " + goFile + " did not appear within 2 minutes");
      }
      Thread.sleep(1);
    }
  }
}
