package io.deeplakelock.testapp.service;

import io.deeplakelock.testapp.dataset.Dataset;
import io.deeplakelock.testapp.dataset.Maintenance;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * The legacy dataset service: a command line that runs one workload against a dataset, with no
 * locking of its own.
 *
 * <pre>
 * java -cp test-app.jar io.deeplakelock.testapp.service.DatasetService WORKLOAD --dataset PATH ...
 * </pre>
 *
 * Exit status 0 on success, 1 when the workload failed (or {@code verify} found damage), 2 on a
 * usage error.
 */
public final class DatasetService {
  static final String USAGE =
      "usage: DatasetService WORKLOAD --dataset PATH [options]\n"
          + "  create --dataset PATH [--dim 8] [--chunk-rows 64]\n"
          + "  compact --dataset PATH\n"
          + "  "
          + WriterWorkload.USAGE
          + "\n  "
          + SearcherWorkload.USAGE
          + "\n  "
          + VerifyWorkload.USAGE
          + "\n  "
          + HoldWorkload.USAGE;

  private DatasetService() {}

  public static void main(String[] args) {
    int status = run(args, System.out, System.err);
    System.out.flush();
    // Exit explicitly: an agent may have started non-daemon threads that would keep the JVM up.
    System.exit(status);
  }

  /** Runs one workload and returns the exit status. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      err.println(USAGE);
      return 2;
    }
    List<String> options = Arrays.asList(args).subList(1, args.length);
    try {
      switch (args[0]) {
        case "create":
          Arguments create = Arguments.parse(options, "dataset", "dim", "chunk-rows");
          if (create.has("chunk-rows")) {
            Dataset.create(
                create.required("dataset"),
                create.positiveInt("dim", 8),
                create.positiveInt("chunk-rows", Dataset.DEFAULT_CHUNK_ROWS));
          } else {
            // The two-argument overload, which calls the three-argument one: the integration
            // tests check that the agent lets such a nested guarded call re-enter its lock.
            Dataset.create(create.required("dataset"), create.positiveInt("dim", 8));
          }
          return 0;
        case "compact":
          // Housekeeping, run now and then: the path to the files that the rules file misses.
          int rewritten =
              Maintenance.compact(Arguments.parse(options, "dataset").required("dataset"));
          out.println("{\"role\":\"compact\",\"rewritten\":" + rewritten + "}");
          return 0;
        case "writer":
          return new WriterWorkload(
                  Arguments.parse(
                      options,
                      "dataset",
                      "id",
                      "ops",
                      "go",
                      "seed",
                      "appends-only",
                      "compact-every"))
              .run(out, err);
        case "searcher":
          return new SearcherWorkload(
                  Arguments.parse(options, "dataset", "go", "searches", "id", "k", "seed"))
              .run(out);
        case "hold":
          return new HoldWorkload(
                  Arguments.parse(options, "dataset", "release", "touch", "exit", "contend"))
              .run(out);
        case "verify":
          return new VerifyWorkload(Arguments.parse(options, "dataset", "histories")).run(out);
        default:
          throw new IllegalArgumentException("unknown workload " + args[0]);
      }
    } catch (IllegalArgumentException e) {
      err.println("DatasetService: " + e.getMessage());
      err.println(USAGE);
      return 2;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("DatasetService: interrupted");
      return 1;
    } catch (RuntimeException e) {
      err.println("DatasetService: " + args[0] + " failed");
      e.printStackTrace(err);
      return 1;
    }
  }
}
