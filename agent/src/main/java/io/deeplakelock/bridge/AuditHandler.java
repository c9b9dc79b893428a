package io.deeplakelock.bridge;

/**
 * What the agent plugs into {@link AuditBridge}: decides about one file operation of the JDK, and
 * (in discover mode) follows the calls of the methods it is learning about.
 */
public interface AuditHandler {

  /**
   * A first look at a file, before the thread is marked busy: false when it is certainly outside
   * every dataset, so the operation needs no check. Must touch no file and load no class.
   */
  boolean concerns(Object file);

  /**
   * One file operation, before it happens.
   *
   * @param file a {@code java.io.File} or a {@code java.nio.file.Path}
   * @param operation one of {@link AuditBridge}'s operation constants
   * @throws UnguardedWriteException to refuse the operation
   */
  void check(Object file, int operation);

  /**
   * A call of a method that discovery instruments to find its dataset expression began.
   *
   * @return what {@link #leave} is given when the call ends
   */
  Object enter(int candidate, Object self, Object[] args);

  /** The call that {@link #enter} returned {@code entered} for ended. */
  void leave(Object entered);
}
