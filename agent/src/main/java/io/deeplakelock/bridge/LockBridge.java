package io.deeplakelock.bridge;

/**
 * The one static entry point that inlined advice calls from inside guarded methods.
 *
 * <p>This class lives on the bootstrap class path, so advice woven into classes of any class loader
 * (fat jars, servlet containers, child-first loaders) can see it. It refers to nothing but JDK
 * types and this package; the agent plugs its {@link LockHandler} in at start-up.
 */
public final class LockBridge {

  private static volatile LockHandler handler;

  private LockBridge() {}

  /**
   * Installs the handler that guarded calls delegate to; {@code null} makes every guarded call fail
   * closed.
   */
  public static void install(LockHandler newHandler) {
    handler = newHandler;
  }

  /** Returns the installed handler, or {@code null} when the agent is not running. */
  public static LockHandler handler() {
    return handler;
  }

  /**
   * Takes the lock that rule {@code ruleId} asks for, before the guarded body runs.
   *
   * @param origin the class that declares the guarded method
   * @param method the guarded method's name
   * @param self the receiver, or null for a static method
   * @param args the call's arguments
   * @return what {@link #exit} must release, or {@code null} when the call runs unlocked
   * @throws DatasetLockException when the lock cannot be taken: the body must not run
   */
  public static AutoCloseable enter(
      int ruleId, Class<?> origin, String method, Object self, Object[] args) {
    LockHandler current = handler;
    if (current == null) {
      throw notRunning();
    }
    return current.enter(ruleId, origin, method, self, args);
  }

  /**
   * As {@link #enter(int, Class, String, Object, Object[])}, for a rule that reads one value of the
   * call (or none): the advice passes only that value, so a guarded call builds no argument array.
   *
   * @param input the receiver or the one argument the rule's expressions read, or null when they
   *     read neither
   */
  public static AutoCloseable enter(int ruleId, Class<?> origin, String method, Object input) {
    LockHandler current = handler;
    if (current == null) {
      throw notRunning();
    }
    return current.enter(ruleId, origin, method, input);
  }

  private static DatasetLockException notRunning() {
    return new DatasetLockException(
        "deeplake-lock is not running in this JVM, so the guarded call was refused");
  }

  /**
   * Releases what {@link #enter} took, however the guarded body ended.
   *
   * <p>Never replaces the body's own exception: a lock problem found while the body was already
   * throwing is attached to that exception as suppressed. Only when the body returned normally may
   * a {@link DatasetLockException} (a lost lock, by policy) reach the caller.
   */
  public static void exit(AutoCloseable held, Throwable thrown) {
    if (held == null) {
      return;
    }
    try {
      held.close();
    } catch (DatasetLockException e) {
      if (thrown == null) {
        throw e;
      }
      thrown.addSuppressed(e);
    } catch (Throwable unexpected) {
      // The handler logs its own failures; nothing here may disturb the application's outcome.
      if (thrown != null) {
        thrown.addSuppressed(unexpected);
      }
    }
  }
}
