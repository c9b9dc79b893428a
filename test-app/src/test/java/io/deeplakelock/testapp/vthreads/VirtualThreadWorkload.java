package io.deeplakelock.testapp.vthreads;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A service that runs its guarded calls on virtual threads (JDK 21+), or on a pool of platform
 * threads for comparison:
 *
 * <pre>
 * VirtualThreadWorkload virtual|platform TASKS DATASETS
 * </pre>
 *
 * Each task makes one guarded call, {@link Store#write}, on one of {@code DATASETS} datasets.
 * Prints {@code {"threads":...,"tasks":N,"elapsedMs":M}}. Compiled for Java 17, so the virtual
 * thread executor is looked up reflectively.
 */
public final class VirtualThreadWorkload {

  /** The guarded class: a rule puts a write lock on {@code write(dataset)}. */
  public static final class Store {
    static final AtomicLong WORK = new AtomicLong();

    public void write(String dataset) {
      long x = 0;
      for (int i = 0; i < 20_000; i++) {
        x += (long) i * dataset.length();
      }
      WORK.addAndGet(x);
    }
  }

  private VirtualThreadWorkload() {}

  public static void main(String[] args) throws Exception {
    String threads = args[0];
    int tasks = Integer.parseInt(args[1]);
    int datasets = Integer.parseInt(args[2]);
    ExecutorService pool =
        threads.equals("virtual")
            ? (ExecutorService)
                Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null)
            : Executors.newFixedThreadPool(8);
    AtomicLong failed = new AtomicLong();
    long start = System.nanoTime();
    for (int i = 0; i < tasks; i++) {
      String dataset = "/data/vt-" + (i % datasets);
      pool.execute(
          () -> {
            try {
              new Store().write(dataset);
            } catch (RuntimeException e) {
              failed.incrementAndGet();
            }
          });
    }
    pool.shutdown();
    if (!pool.awaitTermination(5, TimeUnit.MINUTES)) {
      throw new IllegalStateException("tasks did not finish");
    }
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    System.out.println(
        "{\"threads\":\""
            + threads
            + "\",\"tasks\":"
            + tasks
            + ",\"failed\":"
            + failed.get()
            + ",\"elapsedMs\":"
            + elapsedMs
            + "}");
    System.out.flush();
    System.exit(0);
  }
}
