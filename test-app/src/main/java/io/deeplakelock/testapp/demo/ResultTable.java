package io.deeplakelock.testapp.demo;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** Prints the runs side by side, one column per run, one row per measure. */
final class ResultTable {
  private static final String ROW = "%-30s";
  private static final String CELL = "%16s";

  private final List<RunResult> runs;

  ResultTable(List<RunResult> runs) {
    this.runs = runs;
  }

  String render() {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, ROW, ""));
    for (RunResult run : runs) {
      out.append(String.format(Locale.ROOT, CELL, run.label));
    }
    out.append('\n');
    row(out, "writes attempted", run -> Long.toString(run.writesAttempted));
    row(out, "writes acknowledged", run -> Long.toString(run.writesAcked));
    row(out, "rows lost", run -> Long.toString(run.verification.lost()));
    row(out, "rows duplicated", run -> Long.toString(run.verification.duplicated()));
    row(out, "deleted rows back", run -> Long.toString(run.verification.wronglyPresent()));
    row(out, "reads (search, size)", run -> Long.toString(run.readsAttempted));
    row(out, "corrupt reads", run -> Long.toString(run.corruptReads));
    row(out, "failed reads", run -> Long.toString(run.failedReads));
    row(out, "dataset readable at the end", run -> run.verification.isReadable() ? "yes" : "no");
    row(
        out,
        "lock wait time (ms)",
        run -> run.lockWaitMs == null ? "-" : Long.toString(run.lockWaitMs));
    row(out, "wall time (s)", run -> String.format(Locale.ROOT, "%.1f", run.wallMillis / 1000.0));
    return out.toString();
  }

  private void row(StringBuilder out, String name, Function<RunResult, String> cell) {
    out.append(String.format(Locale.ROOT, ROW, name));
    for (RunResult run : runs) {
      out.append(String.format(Locale.ROOT, CELL, cell.apply(run)));
    }
    out.append('\n');
  }
}
