package io.deeplakelock.audit;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What discovery saw one method do: for one overload (or, before the second pass saw a call, for
 * the method name as a stack trace gives it), how often it changed and read files under the roots,
 * which datasets, and which dataset expressions held in every call seen.
 *
 * <p>One line of the findings file, tab-separated, so several JVMs can pool what they saw.
 */
final class Finding {

  /** Descriptor and parameters of a finding no instrumented call has explained yet. */
  static final String UNSEEN = "*";

  final String jvm;
  final String className;
  final String method;
  String descriptor = UNSEEN;
  String parameters = UNSEEN;
  int overloads = 1;
  long writes;
  long reads;
  long calls; // instrumented calls whose expressions were compared
  Set<String> expressions; // null until the first call; then those that held in every call
  final Set<String> datasets = new LinkedHashSet<>();

  Finding(String jvm, String className, String method) {
    this.jvm = jvm;
    this.className = className;
    this.method = method;
  }

  synchronized void saw(boolean write, String dataset) {
    if (write) {
      writes++;
    } else {
      reads++;
    }
    if (datasets.size() < 3) {
      datasets.add(dataset);
    }
  }

  synchronized void matched(List<String> found) {
    calls++;
    if (expressions == null) {
      expressions = new LinkedHashSet<>(found);
    } else {
      expressions.retainAll(found);
    }
  }

  synchronized String toLine() {
    return String.join(
        "\t",
        jvm,
        className,
        method,
        descriptor,
        parameters,
        Integer.toString(overloads),
        Long.toString(writes),
        Long.toString(reads),
        Long.toString(calls),
        expressions == null ? "-" : String.join(",", expressions),
        String.join(",", datasets));
  }

  /** A line {@link #toLine()} wrote; null when it is not one. */
  static Finding fromLine(String line) {
    String[] f = line.split("\t", -1);
    if (f.length != 11) {
      return null;
    }
    try {
      Finding finding = new Finding(f[0], f[1], f[2]);
      finding.descriptor = f[3];
      finding.parameters = f[4];
      finding.overloads = Integer.parseInt(f[5]);
      finding.writes = Long.parseLong(f[6]);
      finding.reads = Long.parseLong(f[7]);
      finding.calls = Long.parseLong(f[8]);
      if (!f[9].equals("-")) {
        finding.expressions = new LinkedHashSet<>();
        for (String e : f[9].split(",")) {
          if (!e.isEmpty()) {
            finding.expressions.add(e);
          }
        }
      }
      for (String d : f[10].split(",")) {
        if (!d.isEmpty()) {
          finding.datasets.add(d);
        }
      }
      return finding;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Expressions in order, or empty. */
  synchronized List<String> expressionList() {
    return expressions == null ? new ArrayList<String>() : new ArrayList<>(expressions);
  }
}
