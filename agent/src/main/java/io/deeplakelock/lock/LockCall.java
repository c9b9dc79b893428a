package io.deeplakelock.lock;

import io.deeplakelock.bridge.LockMode;
import io.deeplakelock.rules.LockPolicy;

/**
 * One guarded call's request and where it came from, for messages and for callers that take a lock
 * without advice. Built only when a message needs it or a call takes the slow path: the fast path
 * keeps these fields in {@link CallFrames}.
 */
public final class LockCall {

  final LockRequest request;
  final Class<?> origin;
  final String method;
  final String dataset;

  /**
   * @param rule the rule's name
   * @param method the guarded method, as {@code Class.method}
   * @param dataset the dataset path as evaluated, or null for a fixed lock path
   */
  public LockCall(String rule, String method, String dataset, LockMode mode, LockPolicy policy) {
    this(new LockRequest(rule, mode, policy), null, method, dataset);
  }

  /** As above, with the method's class kept apart so that {@code Class.method} is built lazily. */
  LockCall(LockRequest request, Class<?> origin, String method, String dataset) {
    this.request = request;
    this.origin = origin;
    this.method = method;
    this.dataset = dataset;
  }

  /** The guarded method as {@code Class.method}. */
  String where() {
    return origin == null ? method : origin.getName() + "." + method;
  }

  String describe(String lockPath) {
    return request.mode.label()
        + " lock"
        + (dataset == null ? "" : " on dataset '" + dataset + "'")
        + " (lock path "
        + lockPath
        + ", rule '"
        + request.rule
        + "', "
        + where()
        + ")";
  }
}
