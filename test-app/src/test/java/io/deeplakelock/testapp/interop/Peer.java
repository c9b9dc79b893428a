package io.deeplakelock.testapp.interop;

import io.deeplakelock.testsupport.ChildJvm;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A lock-taking peer process (Python or JVM) whose stdout lines the test waits on. */
final class Peer implements AutoCloseable {

  private final ChildJvm child;

  private Peer(ChildJvm child) {
    this.child = child;
  }

  /** Starts the peer with its stderr in {@code dir}. */
  static Peer start(ChildJvm.Builder peer, Path dir) throws IOException {
    return new Peer(peer.directory(dir).start());
  }

  /** Waits for the next line; fails the test with the peer's stderr when it does not come. */
  String next(String expectedPrefix, Duration timeout) throws Exception {
    String line = child.nextLine(timeout);
    if (line == null || !line.startsWith(expectedPrefix)) {
      throw new AssertionError(
          child.name()
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
    String line = child.nextLine(window);
    if (line != null) {
      throw new AssertionError(child.name() + " was expected to block but printed '" + line + "'");
    }
    return true;
  }

  /** The lines that arrive within {@code window}, in order. */
  List<String> linesWithin(Duration window) throws InterruptedException {
    List<String> out = new ArrayList<>();
    long deadline = System.nanoTime() + window.toNanos();
    for (long left = window.toNanos(); left > 0; left = deadline - System.nanoTime()) {
      String line = child.nextLine(Duration.ofNanos(left));
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
    return child.awaitExit(timeout);
  }

  String stderrText() {
    return child.stderr();
  }

  @Override
  public void close() {
    child.close();
  }
}
