package io.deeplakelock.testapp.bench;

import java.util.List;

/** A worker JVM failed, exited or stopped answering; carries the end of its standard error. */
final class WorkerFailure extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient List<String> stderrTail;

  WorkerFailure(String message, List<String> stderrTail) {
    super(message);
    this.stderrTail = List.copyOf(stderrTail);
  }

  List<String> stderrTail() {
    return stderrTail;
  }
}
