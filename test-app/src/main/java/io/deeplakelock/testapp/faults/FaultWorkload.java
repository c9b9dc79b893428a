package io.deeplakelock.testapp.faults;

import io.deeplakelock.testapp.service.Arguments;
import io.deeplakelock.testapp.service.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One process of the fault-injection suite: records ledger entries until told to stop, logging
 * every operation to its history.
 *
 * <pre>
 * java ... io.deeplakelock.testapp.faults.FaultWorkload --dataset PATH --id ID --history FILE
 *     --witness FILE --go FILE --stop FILE [--seed S] [--pause-ms MIN-MAX] [--max-seconds N]
 * </pre>
 *
 * Prints {@code READY}, waits for the go file, then records entries ({@code ID-1}, {@code ID-2},
 * ...) one after the other until the stop file exists (or, should the test that started it have
 * died, {@code --max-seconds} have passed, 900 by default); an entry that throws is logged and the
 * next one starts. Prints one JSON summary line and exits 0; exit status 2 on a usage error.
 */
public final class FaultWorkload {
  private static final long GO_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(2);

  private static final String[] OPTIONS = {
    "dataset", "id", "history", "witness", "go", "stop", "seed", "pause-ms", "max-seconds"
  };

  private FaultWorkload() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    int status;
    try {
      status = run(Arguments.parse(Arrays.asList(args), OPTIONS), System.out);
    } catch (IllegalArgumentException e) {
      System.err.println("FaultWorkload: " + e.getMessage());
      status = 2;
    }
    System.out.flush();
    // Exit explicitly: the agent's ZooKeeper client may keep non-daemon threads alive.
    System.exit(status);
  }

  static int run(Arguments args, PrintStream out) throws IOException, InterruptedException {
    String id = args.required("id");
    Path go = Paths.get(args.required("go"));
    Path stop = Paths.get(args.required("stop"));
    long seed = Long.parseLong(args.optional("seed", "1"));
    long maxNanos = TimeUnit.SECONDS.toNanos(args.positiveInt("max-seconds", 900));
    String[] pause = args.optional("pause-ms", "40-120").split("-", 2);
    int minPause = Integer.parseInt(pause[0]);
    int maxPause = Integer.parseInt(pause[pause.length - 1]);
    if (minPause < 0 || maxPause < minPause) {
      throw new IllegalArgumentException("--pause-ms needs MIN-MAX with 0 <= MIN <= MAX");
    }
    Ledger ledger =
        new Ledger(
            args.required("dataset"),
            new Witness(Paths.get(args.required("witness"))),
            new Random(seed),
            minPause,
            maxPause);
    int ops = 0;
    int ok = 0;
    try (OpLog log = new OpLog(Paths.get(args.required("history")))) {
      out.println("READY");
      out.flush();
      long deadline = System.nanoTime() + GO_TIMEOUT_NANOS;
      while (!Files.exists(go)) {
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException("go file " + go + " did not appear within 2 minutes");
        }
        Thread.sleep(1);
      }
      long began = System.nanoTime();
      while (!Files.exists(stop) && System.nanoTime() - began < maxNanos) {
        Entry entry = new Entry(id + "-" + (++ops), id, log);
        entry.invoked();
        Throwable failure = null;
        try {
          ledger.record(entry);
        } catch (RuntimeException e) {
          failure = e;
        }
        entry.completed(failure);
        if (failure == null) {
          ok++;
        }
      }
    }
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("child", id);
    summary.put("ops", ops);
    summary.put("ok", ok);
    out.println(Json.write(summary));
    return 0;
  }
}
