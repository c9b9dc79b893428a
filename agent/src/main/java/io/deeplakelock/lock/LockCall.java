package io.deeplakelock.lock;

import io.deeplakelock.bridge.LockMode;
import io.deeplakelock.rules.LockPolicy;

/**
 * What one guarded call asks of a lock, for its messages and policies. Built only when a message
 * needs it or a call takes the slow path: the fast path keeps these fields in {@link CallFrames}.
 */
public final class LockCall {

  final String rule;
  final Class<?> origin;
  final String method;
  final String dataset;
  final LockMode mode;
  final LockPolicy policy;

  /**
   * @param rule the rule's name
   * @param method the guarded method, as {@code Class.method}
   * @param dataset the dataset path as evaluated, or null for a fixed lock path
   */
  public LockCall(String rule, String method, String dataset, LockMode mode, LockPolicy policy) {
    this(rule, null, method, dataset, mode, policy);
  }

  /** As above, with the method's class kept apart so that {@code Class.method} is built lazily. */
  LockCall(
      String rule,
      Class<?> origin,
      String method,
      String dataset,
      LockMode mode,
      LockPolicy policy) {
    this.rule = rule;
    this.origin = origin;
    this.method = method;
    this.dataset = dataset;
    this.mode = mode;
    this.policy = policy;
  }

  /** The guarded method as {@code Class.method}. */
  String where() {
    return origin == null ? method : origin.getName() + "." + method;
  }

  String describe(String lockPath) {
    return mode.label()
        + " lock"
        + (dataset == null ? "" : " on dataset '" + dataset + "'")
        + " (lock path "
        + lockPath
        + ", rule '"
        + rule
        + "', "
        + where()
        + ")";
  }
}
