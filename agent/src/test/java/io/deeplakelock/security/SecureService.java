package io.deeplakelock.security;

/**
 * A tiny "legacy service" for child JVMs under the shaded agent: one guarded write, then (with
 * {@code wait}) it stays up until its stdin closes, so a test can run {@code status} against it.
 * Uses only the JDK.
 */
public final class SecureService {

  /** The guarded class: the rules put a write lock on {@code write(dataset)}. */
  public static final class Vault {
    public void write(String dataset) {
      System.out.println("wrote " + dataset);
    }
  }

  private SecureService() {}

  public static void main(String[] args) throws Exception {
    try {
      new Vault().write(args[0]);
    } catch (RuntimeException e) {
      System.out.println("refused: " + e);
    }
    System.out.println("ready");
    System.out.flush();
    if (args.length > 1 && args[1].equals("wait")) {
      while (System.in.read() >= 0) {
        // until the test closes our stdin
      }
    }
  }
}
