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
 * hold --dataset PATH --release FILE [--touch] [--exit] [--contend]
 * </pre>
 *
 * Opens the dataset and calls {@link #hold}, the method a rules file guards. The test-app's own
 * rules leave it alone; the integration tests add a rule such as {@code class:
 * io.deeplakelock.testapp.service.HoldWorkload, methods: [hold], lock: write, dataset:
 * arg0.getPath()}. Inside it, with {@code --touch}, it appends the row {@code hold-0}, updates it
 * and reads the size (guarded calls nested in the hold); then it prints one JSON line with the lock
 * the agent reports for the call, prints {@code READY} and waits for the release file. With {@code
 * --exit} it then calls {@code System.exit(0)} still inside the guarded call, so only the agent's
 * shutdown hook can free the lock. With {@code --contend}, a thread named {@code second-writer}
 * appends to the same dataset while the hold runs, so it waits for the lock inside this JVM until
 * the hold ends (then it appends the row {@code hold-1}).
 */
final class HoldWorkload {
  static final String USAGE = "hold --dataset PATH --release FILE [--touch] [--exit] [--contend]";

  private final String datasetPath;
  private final StartSignal release;
  private final boolean touch;
  private final boolean exit;
  private final boolean contend;
  private Thread second; // with --contend: started inside the hold

  HoldWorkload(Arguments args) {
    this.datasetPath = args.required("dataset");
    this.release = new StartSignal(args.required("release"));
    this.touch = args.flag("touch");
    this.exit = args.flag("exit");
    this.contend = args.flag("contend");
  }

  int run(PrintStream out) throws InterruptedException {
    Dataset dataset = Dataset.open(datasetPath);
    second = contend ? secondWriter(dataset) : null;
    hold(dataset, out);
    if (second != null) {
      second.join();
    }
    return 0;
  }

  /** A thread that appends once the hold has the lock; under the agent it waits for the hold. */
  private Thread secondWriter(Dataset dataset) {
    return new Thread(
        () -> dataset.append(RowText.appended("hold", 1), "hold", unit(dataset)), "second-writer");
  }

  /** Starts the second writer and waits (bounded) until it is blocked, for the lock presumably. */
  private static void startBlocked(Thread second) throws InterruptedException {
    second.start();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (second.isAlive()
        && second.getState() == Thread.State.RUNNABLE
        && System.nanoTime() < deadline) {
      Thread.sleep(5); // bounded polling of the thread's state
    }
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
    if (second != null) {
      startBlocked(second);
    }
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
