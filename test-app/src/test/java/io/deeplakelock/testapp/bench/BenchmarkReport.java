package io.deeplakelock.testapp.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * The benchmark's report: one section per figure with a row per cell and a column per variant
 * (medians over runs), then the ratios the performance issue asks for, each against its target.
 */
final class BenchmarkReport {

  /** Fewer hand-offs than this (all runs) leave a cell out of the hand-off summary. */
  private static final int MIN_HANDOFFS = 50;

  private final List<Cell> cells;
  private final List<Variant> variants = List.of(Variant.values());
  private final Map<Cell, Map<Variant, List<CellResult>>> results = new LinkedHashMap<>();

  BenchmarkReport(List<Cell> cells) {
    this.cells = List.copyOf(cells);
    for (Cell cell : cells) {
      Map<Variant, List<CellResult>> row = new LinkedHashMap<>();
      for (Variant variant : variants) {
        row.put(variant, new ArrayList<>());
      }
      results.put(cell, row);
    }
  }

  /** Adds one run's result; each variant gets exactly one per cell and run, failed or not. */
  void add(Cell cell, Variant variant, CellResult result) {
    results.get(cell).get(variant).add(result);
  }

  String render(List<String> header, List<String> notes) {
    StringBuilder out = new StringBuilder();
    header.forEach(line -> out.append(line).append('\n'));

    section(
        out,
        "throughput, calls/s (all JVMs of the cell together)",
        cell -> true,
        (cell, v) -> count(median(cell, v, CellResult::opsPerSecond)),
        List.of(
            new Extra(
                "default/unguarded",
                cell ->
                    ratio(throughput(cell, Variant.DEFAULT), throughput(cell, Variant.UNGUARDED))),
            new Extra(
                "default/curator",
                cell ->
                    ratio(throughput(cell, Variant.DEFAULT), throughput(cell, Variant.CURATOR))),
            new Extra(
                "linger/curator",
                cell ->
                    ratio(throughput(cell, Variant.LINGER), throughput(cell, Variant.CURATOR)))));
    section(
        out,
        "acquire latency p50 / p99, us (call site -> first statement of the method body)",
        cell -> true,
        (cell, v) ->
            micros(median(cell, v, CellResult::acquireP50))
                + " / "
                + micros(median(cell, v, CellResult::acquireP99)),
        List.of());
    section(
        out,
        "lock overhead per call, us (mean call latency minus unguarded's in the same run;"
            + " unguarded: (its mean call latency))",
        cell -> true,
        (cell, v) ->
            v == Variant.UNGUARDED
                ? "(" + micros(median(cell, v, CellResult::meanCallNanos)) + ")"
                : micros(overhead(cell, v)),
        List.of());
    section(
        out,
        "ZooKeeper writes per call (zxid delta over the measured window / calls)",
        cell -> true,
        (cell, v) -> fixed(median(cell, v, CellResult::zkWritesPerCall), 3),
        List.of());
    section(
        out,
        "ZooKeeper requests per call (requests the server received in the measured window, pings"
            + " included / calls)",
        cell -> true,
        (cell, v) -> fixed(median(cell, v, CellResult::zkRequestsPerCall), 2),
        List.of());
    section(
        out,
        "CPU per call, us: the cell's worker JVMs (all their threads, the workload's ~5 us"
            + " included) + the ZooKeeper server, over the measured window",
        cell -> true,
        (cell, v) ->
            micros(median(cell, v, CellResult::workerCpuPerCall))
                + " + "
                + micros(median(cell, v, CellResult::serverCpuPerCall)),
        List.of());
    section(
        out,
        "JIT compiler busy in the measured window, the busiest worker JVM's compile time over the"
            + " window (near 0: the window ran compiled code)",
        cell -> true,
        (cell, v) -> percent(median(cell, v, CellResult::jitBusiest)),
        List.of());
    section(
        out,
        "hand-off between JVMs p50 / p99, us (a write's body start minus the end of the previous"
            + " write on its dataset, made in another JVM while this one waited); in brackets:"
            + " hand-offs seen, all runs",
        Cell::handsOff,
        (cell, v) ->
            v.locks()
                ? micros(median(cell, v, CellResult::handoffP50))
                    + " / "
                    + micros(median(cell, v, CellResult::handoffP99))
                    + String.format(Locale.ROOT, " (%,d)", sum(cell, v, CellResult::handoffs))
                : "-",
        List.of());
    section(
        out,
        "JVM balance: calls of the JVM that made fewest / of the one that made most (1 = even;"
            + " near 0: a JVM starved)",
        cell -> cell.jvms() > 1,
        (cell, v) -> fixed(median(cell, v, CellResult::jvmBalance), 2),
        List.of());
    section(
        out,
        "exclusion check: write bodies that overlapped another body on their dataset / write"
            + " bodies checked, all runs (must be 0 under a lock; unguarded is the control)",
        Cell::hasWriters,
        this::exclusion,
        List.of());
    ratios(out);
    List<String> allNotes = new ArrayList<>(notes);
    allNotes.addAll(failureNotes());
    if (!allNotes.isEmpty()) {
      out.append("\nnotes\n");
      allNotes.forEach(line -> out.append("  ").append(line).append('\n'));
    }
    return out.toString();
  }

  /** A column after the variants', computed per cell. */
  private record Extra(String title, ToDoubleFunction<Cell> value) {}

  private void section(
      StringBuilder out,
      String title,
      Predicate<Cell> applies,
      BiFunction<Cell, Variant, String> value,
      List<Extra> extras) {
    List<List<String>> rows = new ArrayList<>();
    List<String> head = new ArrayList<>(List.of("cell"));
    variants.forEach(v -> head.add(v.label));
    extras.forEach(e -> head.add(e.title()));
    rows.add(head);
    for (Cell cell : cells) {
      if (!applies.test(cell)) {
        continue;
      }
      List<String> row = new ArrayList<>(List.of(cell.label()));
      for (Variant v : variants) {
        long ok = okRuns(cell, v);
        row.add(ok == 0 ? "n/a" : value.apply(cell, v) + (ok < runs(cell, v) ? "*" : ""));
      }
      extras.forEach(e -> row.add(ratioText(e.value().applyAsDouble(cell))));
      rows.add(row);
    }
    // Columns as wide as their widest entry: the cell left-aligned, figures right-aligned.
    int[] widths = new int[head.size()];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    out.append('\n').append(title).append('\n');
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder(pad(row.get(0), -widths[0]));
      for (int i = 1; i < row.size(); i++) {
        line.append("  ").append(pad(row.get(i), Math.max(widths[i], 11)));
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
  }

  /** {@code text} padded to {@code width} characters: on the left if positive, else the right. */
  private static String pad(String text, int width) {
    return String.format(Locale.ROOT, width < 0 ? "%-" + -width + "s" : "%" + width + "s", text);
  }

  private String exclusion(Cell cell, Variant v) {
    long overlapping = sum(cell, v, CellResult::overlappingWrites);
    long checked = sum(cell, v, CellResult::writesChecked);
    String flag = v.locks() && overlapping > 0 ? " !!" : "";
    return String.format(Locale.ROOT, "%,d / %,d%s", overlapping, checked, flag);
  }

  private void ratios(StringBuilder out) {
    out.append("\nratios the issue asks for (medians over runs)\n");
    List<String[]> rows = new ArrayList<>();
    for (Cell cell : cells) {
      if (cell.writePercent() == 0 && cell.threads() == 16 && cell.datasets() == 1) {
        rows.add(
            atLeast(
                "default/unguarded throughput, " + brief(cell),
                ratio(throughput(cell, Variant.DEFAULT), throughput(cell, Variant.UNGUARDED)),
                cell.jvms() == 1 ? 0.85 : Double.NaN));
      }
    }
    // The default never loses: 1.0x Curator everywhere, 0.95x (noise) with one thread per JVM.
    throughputFloor(rows, "more than one thread per JVM", cell -> cell.threads() > 1, 1.0);
    throughputFloor(rows, "one thread per JVM", cell -> cell.threads() == 1, 0.95);
    List<Double> defaultOverCurator = new ArrayList<>();
    for (Cell cell : cells) {
      double r = ratio(throughput(cell, Variant.DEFAULT), throughput(cell, Variant.CURATOR));
      if (!Double.isNaN(r)) {
        defaultOverCurator.add(r);
      }
    }
    rows.add(
        atLeast(
            "default/curator throughput, geometric mean of "
                + defaultOverCurator.size()
                + " cell(s)",
            geometricMean(defaultOverCurator),
            Double.NaN));
    for (Variant v : variants) {
      if (v.locks()) {
        lowestBalance(rows, v, v == Variant.DEFAULT ? 0.7 : Double.NaN);
      }
    }
    if (cells.contains(Cell.SINGLE_WRITER)) {
      double curator = overhead(Cell.SINGLE_WRITER, Variant.CURATOR);
      String where = " (" + brief(Cell.SINGLE_WRITER) + ")";
      rows.add(
          row(
              "single-writer overhead default/curator" + where,
              ratio(overhead(Cell.SINGLE_WRITER, Variant.DEFAULT), curator),
              0.10));
      rows.add(
          row(
              "single-writer overhead linger-20ms/curator" + where,
              ratio(overhead(Cell.SINGLE_WRITER, Variant.LINGER), curator),
              Double.NaN));
      rows.add(
          row(
              "single-writer overhead agent-plain/curator" + where,
              ratio(overhead(Cell.SINGLE_WRITER, Variant.AGENT_PLAIN), curator),
              1.10));
    }
    if (cells.contains(Cell.SINGLE_WRITER_PER_JVM)) {
      Cell cell = Cell.SINGLE_WRITER_PER_JVM;
      String where = " (" + brief(cell) + ")";
      for (Variant v : List.of(Variant.DEFAULT, Variant.LINGER, Variant.AGENT_PLAIN)) {
        boolean target = v == Variant.DEFAULT;
        rows.add(
            row(
                "multi-JVM write hand-off p50 " + v.label + "/curator" + where,
                handoffRatio(cell, v, CellResult::handoffP50),
                target ? 1.05 : Double.NaN));
        rows.add(
            row(
                "multi-JVM write hand-off p99 " + v.label + "/curator" + where,
                handoffRatio(cell, v, CellResult::handoffP99),
                target ? 1.10 : Double.NaN));
      }
    }
    List<Double> handoffRatios = new ArrayList<>();
    for (Cell cell : cells) {
      double r = handoffRatio(cell, Variant.DEFAULT, CellResult::handoffP50);
      // A median of a handful of hand-offs (writes on 100 datasets rarely queue) is noise.
      boolean enough =
          sum(cell, Variant.DEFAULT, CellResult::handoffs) >= MIN_HANDOFFS
              && sum(cell, Variant.CURATOR, CellResult::handoffs) >= MIN_HANDOFFS;
      if (cell.handsOff() && enough && !Double.isNaN(r)) {
        handoffRatios.add(r);
      }
    }
    if (handoffRatios.size() > 1) {
      rows.add(
          row(
              "multi-JVM write hand-off p50 default/curator, geometric mean of "
                  + handoffRatios.size()
                  + " cells with >= "
                  + MIN_HANDOFFS
                  + " hand-offs",
              geometricMean(handoffRatios),
              1.05));
    }
    int width = 0;
    for (String[] r : rows) {
      width = Math.max(width, r[0].length());
    }
    String format = "%-" + width + "s %8s %9s  %s";
    out.append(String.format(Locale.ROOT, format, "", "value", "target", "").stripTrailing());
    out.append('\n');
    for (String[] r : rows) {
      out.append(String.format(Locale.ROOT, format, (Object[]) r).stripTrailing()).append('\n');
    }
  }

  /** The lowest default/curator throughput ratio over the cells that {@code which} selects. */
  private void throughputFloor(
      List<String[]> rows, String which, Predicate<Cell> selects, double target) {
    Lowest l =
        lowest(
            selects,
            cell -> ratio(throughput(cell, Variant.DEFAULT), throughput(cell, Variant.CURATOR)));
    if (l != null) {
      rows.add(
          atLeast(
              "default/curator throughput, lowest of "
                  + l.counted()
                  + " cell(s) with "
                  + which
                  + ": "
                  + brief(l.cell()),
              l.value(),
              target));
    }
  }

  /** The lowest JVM balance of {@code v} over the multi-JVM cells. */
  private void lowestBalance(List<String[]> rows, Variant v, double target) {
    Lowest l = lowest(cell -> cell.jvms() > 1, cell -> median(cell, v, CellResult::jvmBalance));
    if (l != null) {
      rows.add(
          atLeast(
              "JVM balance "
                  + v.label
                  + ", lowest of "
                  + l.counted()
                  + " multi-JVM cell(s): "
                  + brief(l.cell()),
              l.value(),
              target));
    }
  }

  /** The cell with the lowest figure, the figure, and how many cells had one. */
  private record Lowest(Cell cell, double value, int counted) {}

  /** The lowest {@code figure} over the cells {@code selects} picks that have it; null if none. */
  private Lowest lowest(Predicate<Cell> selects, ToDoubleFunction<Cell> figure) {
    Lowest l = null;
    int counted = 0;
    for (Cell cell : cells) {
      double value = figure.applyAsDouble(cell);
      if (selects.test(cell) && !Double.isNaN(value)) {
        counted++;
        if (l == null || value < l.value()) {
          l = new Lowest(cell, value, 0);
        }
      }
    }
    return l == null ? null : new Lowest(l.cell(), l.value(), counted);
  }

  private double handoffRatio(Cell cell, Variant v, ToDoubleFunction<CellResult> figure) {
    return ratio(median(cell, v, figure), median(cell, Variant.CURATOR, figure));
  }

  private static String brief(Cell cell) {
    return cell.label().replaceAll(" +", " ");
  }

  /** A ratio row whose target is a floor ({@code >= target}, NaN for none). */
  private static String[] atLeast(String label, double value, double target) {
    boolean hasTarget = !Double.isNaN(target);
    String verdict = "";
    if (hasTarget) {
      verdict = Double.isNaN(value) ? "not measured" : value >= target ? "met" : "MISSED";
    }
    return new String[] {
      label, ratioText(value), hasTarget ? ">= " + fixed(target, 2) : "", verdict
    };
  }

  /** A ratio row: label, value, target ({@code <= target}, NaN for none) and whether it was met. */
  private static String[] row(String label, double value, double target) {
    boolean hasTarget = !Double.isNaN(target);
    String verdict = "";
    if (hasTarget) {
      verdict = Double.isNaN(value) ? "not measured" : value <= target ? "met" : "MISSED";
    }
    return new String[] {
      label, ratioText(value), hasTarget ? "<= " + fixed(target, 2) : "", verdict
    };
  }

  private List<String> failureNotes() {
    Map<String, Integer> seen = new LinkedHashMap<>();
    for (Map<Variant, List<CellResult>> row : results.values()) {
      row.forEach(
          (v, list) -> {
            for (CellResult r : list) {
              if (!r.ok() && r.failure().equals(CellResult.UNAVAILABLE)) {
                continue; // the coordinator's notes say why
              }
              if (!r.ok()) {
                seen.merge(v.label + ": " + r.failure(), 1, Integer::sum);
              } else if (r.errors() > 0) {
                seen.merge(
                    v.label + ": calls failed in some cells (see the workers' stderr)",
                    1,
                    Integer::sum);
              }
            }
          });
    }
    List<String> notes = new ArrayList<>();
    seen.forEach((text, n) -> notes.add(text + " [" + n + " cell run(s)]"));
    if (!notes.isEmpty()) {
      notes.add(0, "n/a: no run of that cell succeeded; *: a median over fewer runs than the rest");
    }
    return notes;
  }

  private double throughput(Cell cell, Variant v) {
    return median(cell, v, CellResult::opsPerSecond);
  }

  private double median(Cell cell, Variant v, ToDoubleFunction<CellResult> figure) {
    List<Double> values = new ArrayList<>();
    for (CellResult r : results.get(cell).get(v)) {
      if (r.ok()) {
        values.add(figure.applyAsDouble(r));
      }
    }
    return Percentiles.median(values);
  }

  /** Median over runs of (mean call latency - unguarded's mean call latency in the same run). */
  private double overhead(Cell cell, Variant v) {
    List<CellResult> guarded = results.get(cell).get(v);
    List<CellResult> unguarded = results.get(cell).get(Variant.UNGUARDED);
    List<Double> differences = new ArrayList<>();
    for (int run = 0; run < Math.min(guarded.size(), unguarded.size()); run++) {
      if (guarded.get(run).ok() && unguarded.get(run).ok()) {
        differences.add(guarded.get(run).meanCallNanos() - unguarded.get(run).meanCallNanos());
      }
    }
    return Percentiles.median(differences);
  }

  private long sum(Cell cell, Variant v, ToLongFunction<CellResult> figure) {
    return results.get(cell).get(v).stream().filter(CellResult::ok).mapToLong(figure).sum();
  }

  private long okRuns(Cell cell, Variant v) {
    return results.get(cell).get(v).stream().filter(CellResult::ok).count();
  }

  private int runs(Cell cell, Variant v) {
    return results.get(cell).get(v).size();
  }

  private static double ratio(double a, double b) {
    return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? Double.NaN : a / b;
  }

  private static double geometricMean(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double logs = 0;
    for (double v : values) {
      logs += Math.log(v);
    }
    return Math.exp(logs / values.size());
  }

  /** Three significant digits, in plain decimals down to 0.0001. */
  private static String ratioText(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3g", v);
  }

  private static String count(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%,.0f", v);
  }

  private static String percent(double share) {
    return Double.isNaN(share) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * share);
  }

  private static String fixed(double v, int decimals) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%,." + decimals + "f", v);
  }

  /** Nanoseconds as microseconds, with three significant digits or so. */
  static String micros(double nanos) {
    if (Double.isNaN(nanos)) {
      return "-";
    }
    double us = nanos / 1000;
    double magnitude = Math.abs(us);
    return String.format(
        Locale.ROOT, magnitude < 10 ? "%.2f" : magnitude < 100 ? "%.1f" : "%,.0f", us);
  }
}
