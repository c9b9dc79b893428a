package io.deeplakelock.testapp.service;

import io.deeplakelock.testapp.dataset.Dataset;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code hold} workload: one long service operation that keeps a dataset busy until told to
 * stop, so that tests can have a process hold a dataset lock for as long as they need.
 *
 * <pre>
 * hold --dataset PATH --release FILE [--touch] [--exit]
 * </pre>
 *
 * Opens the dataset and calls {@link #hold}, the method a rules file guards. The test-app's own
 * rules leave it alone; the integration tests add a rule such as {@code class:
 * io.deeplakelock.testapp.service.HoldWorkload, methods: [hold], lock: write, dataset:
 * arg0.getPath()}. Inside it, with {@code --touch}, it appends the row {@code hold-0}, updates it
 * and reads the size (guarded calls nested in the hold); then it prints one JSON line with the lock
 * the agent reports for the call, prints {@code READY} and waits for the release file. With {@code
 * --exit} it then calls {@code System.exit(0)} still inside the guarded call, so only the agent's
 * shutdown hook can free the lock.
 */
final class HoldWorkload {
  static final String USAGE = "hold --dataset PATH --release FILE [--touch] [--exit]";

  private final String datasetPath;
  private final StartSignal release;
  private final boolean touch;
  private final boolean exit;

  HoldWorkload(Arguments args) {
    this.datasetPath = args.required("dataset");
    this.release = new StartSignal(args.required("release"));
    this.touch = args.flag("touch");
    this.exit = args.flag("exit");
  }

  int run(PrintStream out) throws InterruptedException {
    hold(Dataset.open(datasetPath), out);
    return 0;
  }

  /** The guarded operation: returns once the release file exists (or exits the JVM there). */
  void hold(Dataset dataset, PrintStream out) throws InterruptedException {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("role", "hold");
    if (touch) {
      long row = dataset.append(RowText.appended("hold", 0), "hold", unit(dataset));
      dataset.update(row, RowText.updated("hold", 0), "hold;updated=true", unit(dataset));
      json.put("touchedRow", row);
      json.put("size", dataset.size());
    }
    json.put("lock", LockWaitProbe.currentLock());
    out.println(Json.write(json));
    release.readyAndAwait(out);
    if (exit) {
      out.flush();
      System.exit(0);
    }
  }

  private static float[] unit(Dataset dataset) {
    float[] embedding = new float[dataset.getDimension()];
    embedding[0] = 1;
    return embedding;
  }
}
