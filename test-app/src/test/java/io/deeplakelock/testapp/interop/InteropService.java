package io.deeplakelock.testapp.interop;

import java.nio.file.Files;
import java.nio.file.Paths;

/**
 * The JVM side of the interop tests: a "legacy" service whose {@code write} and {@code read}
 * methods the test's rules file guards. Each holds its lock until a release file appears.
 *
 * <p>usage: {@code InteropService write|read DATASET RELEASE_FILE [REPEAT]}; prints {@code
 * STARTED}, then per call {@code ACQUIRED i ms} and {@code RELEASED i ms}, or {@code FAILED} with
 * the exception.
 */
public final class InteropService {

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
}
