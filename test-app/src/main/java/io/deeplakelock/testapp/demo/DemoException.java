package io.deeplakelock.testapp.demo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The demo could not run as planned (a child crashed, ZooKeeper did not start); carries the log
 * lines that explain why.
 */
final class DemoException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient List<String> details;

  DemoException(String message) {
    super(message);
    this.details = Collections.emptyList();
  }

  DemoException(String message, WorkloadJvm child) {
    super(message);
    this.details = prefixed(child.name(), child.logTail(20));
  }

  DemoException(String message, String source, List<String> log) {
    super(message);
    this.details = prefixed(source, log);
  }

  /** Log lines worth showing, each prefixed with the process they came from. */
  List<String> details() {
    return details;
  }

  private static List<String> prefixed(String source, List<String> lines) {
    List<String> out = new ArrayList<>();
    for (String line : lines) {
      out.add("[" + source + "] " + line);
    }
    return out;
  }
}
