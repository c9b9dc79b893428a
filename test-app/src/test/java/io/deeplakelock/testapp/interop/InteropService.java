package io.deeplakelock.testapp.interop;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JVM side of the interop tests: a "legacy" service whose {@code write} and {@code read}
 * methods the test's rules file guards. Each holds its lock until a release file appears.
 *
 * <p>usage: {@code InteropService write|read DATASET RELEASE_FILE [REPEAT]}; prints {@code
 * STARTED}, then per call {@code ACQUIRED i ms} and {@code RELEASED i ms}, or {@code FAILED} with
 * the exception.
 *
 * <p>{@code InteropService write-threads DATASET RELEASE_FILE N} makes its N write calls from N
 * threads at once: call 0 takes the lock, and each later one is started once the one before it
 * holds or waits, and announced with {@code QUEUED i ms} once it waits for the lock. A failed call
 * prints {@code FAILED i} with the exception, and the others carry on.
 */
public final class InteropService {

  private static final CountDownLatch firstCallHolds = new CountDownLatch(1);

  private final String path;

  InteropService(String path) {
    this.path = path;
  }

  /** Guarded by a write rule. */
  public void write(int call, String releaseFile) throws Exception {
    hold(call, releaseFile);
  }

  /** Guarded by a read rule. */
  public void read(int call, String releaseFile) throws Exception {
    hold(call, releaseFile);
  }

  private void hold(int call, String releaseFile) throws Exception {
    System.out.println("ACQUIRED " + call + " " + System.currentTimeMillis());
    firstCallHolds.countDown();
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (!Files.exists(Paths.get(releaseFile + "." + call))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no release file " + releaseFile + "." + call);
      }
      Thread.sleep(10); // app code polling a file; the test synchronises on printed lines
    }
  }

  public static void main(String[] args) throws Exception {
    InteropService service = new InteropService(args[1]);
    int repeat = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    System.out.println("STARTED " + System.currentTimeMillis());
    if (args[0].equals("write-threads")) {
      System.exit(writeFromThreads(service, args[2], repeat) == 0 ? 0 : 3);
    }
    for (int i = 0; i < repeat; i++) {
      try {
        if (args[0].equals("write")) {
          service.write(i, args[2]);
        } else {
          service.read(i, args[2]);
        }
        System.out.println("RELEASED " + i + " " + System.currentTimeMillis());
      } catch (RuntimeException e) {
        System.out.println("FAILED " + e.getClass().getName() + ": " + e.getMessage());
        System.exit(3);
      }
    }
    System.exit(0);
  }

  /** Runs write calls 0..n-1 on threads of their own, each queued behind the one before. */
  private static int writeFromThreads(InteropService service, String releaseFile, int n)
      throws InterruptedException {
    AtomicInteger failures = new AtomicInteger();
    Thread[] threads = new Thread[n];
    for (int i = 0; i < n; i++) {
      int call = i;
      threads[i] =
          new Thread(
              () -> {
                try {
                  service.write(call, releaseFile);
                  System.out.println("RELEASED " + call + " " + System.currentTimeMillis());
                } catch (Exception e) {
                  failures.incrementAndGet();
                  System.out.println(
                      "FAILED " + call + " " + e.getClass().getName() + ": " + e.getMessage());
                }
              },
              "writer-" + i);
      threads[i].start();
      if (i == 0) {
        if (!firstCallHolds.await(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException("call 0 never took the lock");
        }
      } else {
        awaitParked(threads[i]);
        System.out.println("QUEUED " + i + " " + System.currentTimeMillis());
      }
    }
    for (Thread t : threads) {
      t.join();
    }
    return failures.get();
  }

  /** Waits until {@code t} is parked: the agent's advice makes it wait for the lock. */
  private static void awaitParked(Thread t) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
      if (System.nanoTime() > deadline || !t.isAlive()) {
        throw new IllegalStateException(t.getName() + " never waited for the lock");
      }
      Thread.sleep(1); // app code polling a thread's state; the test synchronises on printed lines
    }
  }
}
