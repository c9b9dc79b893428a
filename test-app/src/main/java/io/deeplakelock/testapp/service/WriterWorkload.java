package io.deeplakelock.testapp.service;

import io.deeplakelock.testapp.dataset.Dataset;
import io.deeplakelock.testapp.dataset.Maintenance;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The {@code writer} workload: appends rows of its own, updates and deletes some of them in a
 * seeded order, and reports which operations were acknowledged.
 *
 * <pre>
 * writer --dataset PATH --id W --ops N --go FILE [--seed S] [--appends-only] [--compact-every K]
 * </pre>
 *
 * With {@code --appends-only} every operation appends, as the writers of Deep Lake's append-only
 * pattern ({@code config/append-only.yaml}) do. With {@code --compact-every K} the writer also runs
 * {@link Maintenance#compact} after every K-th operation, the way a service runs housekeeping now
 * and then. Compaction is not an operation of the report: its failures are counted on standard
 * error only.
 *
 * <p>Prints {@code READY}, waits for the go file, runs the operations, then prints one {@link
 * WriterReport} JSON line. An operation that throws (a lock error from the agent, a corrupt
 * dataset, anything) counts as failed and the writer carries on.
 */
final class WriterWorkload {
  static final String USAGE =
      "writer --dataset PATH --id W --ops N --go FILE [--seed S] [--appends-only]"
          + " [--compact-every K]";

  /** Share of operations that append; the rest update or delete an own row. */
  private static final double APPEND_SHARE = 0.55;

  /** Share of operations that update (the remainder deletes). */
  private static final double UPDATE_SHARE = 0.25;

  private final String datasetPath;
  private final String id;
  private final int ops;
  private final StartSignal start;
  private final Random random;
  private final boolean appendsOnly;
  private final int compactEvery;

  WriterWorkload(Arguments args) {
    this.datasetPath = args.required("dataset");
    this.id = args.required("id");
    if (!RowText.WRITER_ID.matcher(id).matches()) {
      throw new IllegalArgumentException("--id must match " + RowText.WRITER_ID + ": " + id);
    }
    this.ops = args.positiveInt("ops", 200);
    this.start = new StartSignal(args.required("go"));
    String seed = args.optional("seed", null);
    this.random = new Random(seed == null ? id.hashCode() : Long.parseLong(seed));
    this.appendsOnly = args.flag("appends-only");
    this.compactEvery = args.has("compact-every") ? args.positiveInt("compact-every", 1) : 0;
  }

  int run(PrintStream out, PrintStream err) throws InterruptedException {
    Dataset dataset = Dataset.open(datasetPath);
    int dim = dataset.getDimension();
    WriterReport.Builder history = new WriterReport.Builder(id, err);
    start.readyAndAwait(out);
    long began = System.nanoTime();
    int compactionFailures = 0;
    for (int op = 0; op < ops; op++) {
      if (compactEvery > 0 && op % compactEvery == compactEvery - 1) {
        try {
          Maintenance.compact(datasetPath);
        } catch (RuntimeException e) {
          compactionFailures++;
          err.println("writer " + id + ": compaction failed: " + e);
        }
      }
      double roll = random.nextDouble();
      List<WriterReport.OwnRow> updatable = history.updatable();
      List<WriterReport.OwnRow> deletable = history.deletable();
      if (appendsOnly || roll < APPEND_SHARE || deletable.isEmpty()) {
        int seq = history.nextSeq();
        try {
          long index =
              dataset.append(
                  RowText.appended(id, seq),
                  "writer=" + id + ";seq=" + seq,
                  embedding(seq, false, dim));
          history.appended(seq, index);
        } catch (Exception e) {
          history.failed(null, e);
        }
      } else if (roll < APPEND_SHARE + UPDATE_SHARE && !updatable.isEmpty()) {
        WriterReport.OwnRow row = updatable.get(random.nextInt(updatable.size()));
        try {
          dataset.update(
              row.index,
              RowText.updated(id, row.seq),
              "writer=" + id + ";seq=" + row.seq + ";updated=true",
              embedding(row.seq, true, dim));
          history.updated(row);
        } catch (Exception e) {
          history.failed(row, e);
        }
      } else {
        WriterReport.OwnRow row = deletable.get(random.nextInt(deletable.size()));
        try {
          dataset.delete(row.index);
          history.deleted(row);
        } catch (Exception e) {
          history.failed(row, e);
        }
      }
    }
    if (compactEvery > 0) {
      err.println("writer " + id + ": " + compactionFailures + " compaction(s) failed");
    }
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
    Map<String, Object> report =
        new LinkedHashMap<>(history.build(elapsedMs, LockWaitProbe.totalWaitMillis()).toJson());
    Map<String, Object> observe = LockWaitProbe.observeCounts();
    if (observe != null) {
      report.put("observe", observe); // the agent's observe-mode counters, when it runs
    }
    out.println(Json.write(report));
    return 0;
  }

  /** A deterministic unit vector per row and version, so searches have something to rank. */
  private float[] embedding(int seq, boolean updated, int dim) {
    Random values = new Random(((long) id.hashCode() << 32) ^ (seq * 2L + (updated ? 1 : 0)));
    float[] embedding = new float[dim];
    double norm = 0;
    for (int i = 0; i < dim; i++) {
      embedding[i] = (float) values.nextGaussian();
      norm += embedding[i] * embedding[i];
    }
    for (int i = 0; i < dim; i++) {
      embedding[i] /= (float) Math.sqrt(norm);
    }
    return embedding;
  }
}
