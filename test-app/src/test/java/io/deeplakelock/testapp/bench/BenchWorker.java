package io.deeplakelock.testapp.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A long-lived worker JVM of the lock benchmark, driven by the coordinator ({@link LockBenchmark})
 * over standard input and output, so JVM start-up and the agent's one-time costs stay out of the
 * figures. Standard output carries only protocol lines (everything else printed to {@code
 * System.out} goes to standard error, which the coordinator keeps in a file):
 *
 * <pre>
 *   worker: READY read=&lt;lock&gt; write=&lt;lock&gt;   after warming up; the locks its read and write bodies
 *                                             ran under (READ/WRITE under the agent, else unlocked)
 *   coord:  CELL writes=W threads=T datasets=D record=N
 *   worker: ARMED                              its T threads exist and wait
 *   coord:  GO &lt;measureStart&gt; &lt;deadline&gt;      nanoTime instants, the same for every JVM of the cell
 *   worker: DONE ops=.. errors=.. ... jit=MS   after the deadline; bodies recorded in the intervals file;
 *                                             jit: the JIT's compile time in the measured window
 *   coord:  QUIT (or end of input)
 *   worker: FAILED &lt;message&gt;                   instead of any answer, then exits
 * </pre>
 */
public final class BenchWorker {

  private BenchWorker() {}

  public static void main(String[] args) throws Exception {
    PrintStream protocol = System.out;
    System.setOut(System.err);
    Map<String, String> options = options(args);
    List<String> datasets = datasetNames(Integer.parseInt(options.get("datasets")));
    Map<String, long[]> data = LockBenchApp.newData(datasets);
    int iterations = Integer.parseInt(options.get("iterations"));
    Path intervals = Paths.get(options.get("intervals"));
    try (Calls calls = calls(options, datasets)) {
      protocol.println("READY " + warmUp(calls, data, iterations, datasets.size()));
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      CellLoad load = null;
      for (String line = in.readLine();
          line != null && !line.equals("QUIT");
          line = in.readLine()) {
        String[] words = line.split(" ");
        switch (words[0]) {
          case "CELL" -> {
            Map<String, String> cell = options(words);
            load =
                CellLoad.start(
                    calls,
                    data,
                    iterations,
                    Integer.parseInt(cell.get("threads")),
                    Integer.parseInt(cell.get("writes")),
                    Integer.parseInt(cell.get("datasets")),
                    Integer.parseInt(cell.get("record")));
            protocol.println("ARMED");
          }
          case "GO" -> {
            long measureStart = Long.parseLong(words[1]);
            long deadline = Long.parseLong(words[2]);
            load.go(measureStart, deadline);
            LockBenchmark.parkUntil(measureStart);
            long jitBefore = JitTime.millis();
            LockBenchmark.parkUntil(deadline);
            long jitAfter = JitTime.millis();
            long jit = jitBefore < 0 || jitAfter < 0 ? -1 : jitAfter - jitBefore;
            protocol.println(load.finish(intervals) + " jit=" + jit);
            load = null;
          }
          default -> throw new IllegalArgumentException("unknown command: " + line);
        }
      }
    } catch (Exception | Error e) {
      protocol.println("FAILED " + String.valueOf(e).replace('\n', ' '));
      e.printStackTrace();
      System.exit(1);
    }
    // Runs the agent's shutdown hook, which closes its session (Curator's was closed above): no
    // lock node of this worker outlives it. Their non-daemon threads must not keep it alive.
    System.exit(0);
  }

  /** The dataset paths cells pick from: {@code /bench/ds-00} and on. */
  static List<String> datasetNames(int count) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      names.add(String.format(Locale.ROOT, "/bench/ds-%02d", i));
    }
    return names;
  }

  private static Calls calls(Map<String, String> options, List<String> datasets)
      throws InterruptedException {
    return switch (options.get("calls")) {
      case "direct" -> new DirectCalls(datasets);
      case "curator" ->
          new CuratorCalls(
              options.get("connect"),
              Integer.parseInt(options.get("sessionTimeoutMillis")),
              options.get("root"),
              datasets);
      default -> throw new IllegalArgumentException("--calls direct|curator");
    };
  }

  /**
   * Probes which lock a read and a write body run under, then runs a second of a 50/50 load on all
   * datasets: the JIT compiles the loop, the agent or Curator connects and every dataset's lock
   * path exists before anything is measured. Returns the READY line's fields.
   */
  private static String warmUp(Calls calls, Map<String, long[]> data, int iterations, int datasets)
      throws Exception {
    LockBenchApp app = new LockBenchApp(data, iterations);
    app.probe = true;
    calls.call(app, 0, false);
    String read = app.probedLock;
    calls.call(app, 0, true);
    String write = app.probedLock;
    CellLoad load = CellLoad.start(calls, data, iterations, 1, 50, datasets, 0);
    long now = System.nanoTime();
    load.go(now, now + TimeUnit.SECONDS.toNanos(1));
    load.finish(null);
    return "read="
        + read.replace(' ', '_')
        + " write="
        + write.replace(' ', '_')
        + " errors="
        + load.errors();
  }

  /** {@code --key value} pairs, or {@code key=value} words after the first. */
  private static Map<String, String> options(String[] args) {
    Map<String, String> options = new HashMap<>();
    if (args.length > 0 && args[0].startsWith("--")) {
      for (int i = 0; i + 1 < args.length; i += 2) {
        options.put(args[i].substring(2), args[i + 1]);
      }
    } else {
      for (int i = 1; i < args.length; i++) {
        int eq = args[i].indexOf('=');
        options.put(args[i].substring(0, eq), args[i].substring(eq + 1));
      }
    }
    return options;
  }
}
