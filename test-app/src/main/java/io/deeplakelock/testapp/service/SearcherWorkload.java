package io.deeplakelock.testapp.service;

import io.deeplakelock.testapp.dataset.CorruptDatasetException;
import io.deeplakelock.testapp.dataset.Dataset;
import io.deeplakelock.testapp.dataset.Hit;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The {@code searcher} workload: runs searches and size queries beside the writers and counts the
 * reads that came back corrupt.
 *
 * <pre>
 * searcher --dataset PATH --go FILE --searches N [--id S] [--k K] [--seed S]
 * </pre>
 *
 * Prints {@code READY}, waits for the go file, runs N rounds of {@code search} + {@code size()},
 * then prints one JSON line:
 *
 * <pre>
 * {"role":"searcher","id":"s1","attempted":400,"ok":386,"corrupt":14,"failed":0,
 *  "elapsedMs":950,"lockWaitMs":120 (null: no agent),"errors":{"CorruptDatasetException":14},
 *  "firstProblem":"text/chunk-00002 holds 17 rows but the meta says 18"}
 * </pre>
 *
 * A read is corrupt when it throws {@link CorruptDatasetException} or returns something no writer
 * wrote (a text not of the form {@code W-i} or {@code W-i:u}, a score outside [-1, 1]); it failed
 * when it threw anything else (a lock error, for instance).
 */
final class SearcherWorkload {
  static final String USAGE =
      "searcher --dataset PATH --go FILE --searches N [--id S] [--k K] [--seed S]";

  private final String datasetPath;
  private final String id;
  private final int searches;
  private final int k;
  private final StartSignal start;
  private final Random random;

  private final Map<String, Long> errors = new LinkedHashMap<>();
  private long attempted;
  private long corrupt;
  private long failed;
  private String firstProblem;

  SearcherWorkload(Arguments args) {
    this.datasetPath = args.required("dataset");
    this.id = args.optional("id", "searcher");
    this.searches = args.positiveInt("searches", 100);
    this.k = args.positiveInt("k", 5);
    this.start = new StartSignal(args.required("go"));
    String seed = args.optional("seed", null);
    this.random = new Random(seed == null ? id.hashCode() : Long.parseLong(seed));
  }

  int run(PrintStream out) throws InterruptedException {
    Dataset dataset = Dataset.open(datasetPath);
    int dim = dataset.getDimension();
    start.readyAndAwait(out);
    long began = System.nanoTime();
    for (int i = 0; i < searches; i++) {
      float[] query = new float[dim];
      for (int d = 0; d < dim; d++) {
        query[d] = (float) random.nextGaussian();
      }
      attempted++;
      try {
        check(dataset.search(query, k));
      } catch (CorruptDatasetException e) {
        corrupt(e.getClass().getSimpleName(), e.getMessage());
      } catch (Exception e) {
        failed(e);
      }
      attempted++;
      try {
        long size = dataset.size();
        if (size < 0) {
          corrupt("NegativeSize", "size() returned " + size);
        }
      } catch (CorruptDatasetException e) {
        corrupt(e.getClass().getSimpleName(), e.getMessage());
      } catch (Exception e) {
        failed(e);
      }
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("role", "searcher");
    json.put("id", id);
    json.put("attempted", attempted);
    json.put("ok", attempted - corrupt - failed);
    json.put("corrupt", corrupt);
    json.put("failed", failed);
    json.put("elapsedMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
    json.put("lockWaitMs", LockWaitProbe.totalWaitMillis());
    json.put("errors", errors);
    json.put("firstProblem", firstProblem);
    out.println(Json.write(json));
    return 0;
  }

  private void check(List<Hit> hits) {
    double previous = Double.POSITIVE_INFINITY;
    for (Hit hit : hits) {
      if (!RowText.isWellFormed(hit.text())) {
        corrupt("MalformedHit", "row " + hit.index() + " has text no writer wrote: " + hit.text());
        return;
      }
      if (!(hit.score() >= -1.0001 && hit.score() <= 1.0001 && hit.score() <= previous)) {
        corrupt("BadScore", "row " + hit.index() + " has score " + hit.score());
        return;
      }
      previous = hit.score();
    }
  }

  private void corrupt(String kind, String problem) {
    corrupt++;
    errors.merge(kind, 1L, Long::sum);
    if (firstProblem == null) {
      firstProblem = problem;
    }
  }

  private void failed(Exception e) {
    failed++;
    errors.merge(e.getClass().getSimpleName(), 1L, Long::sum);
    if (firstProblem == null) {
      firstProblem = e.toString();
    }
  }
}
