package io.deeplakelock.lock;

import io.deeplakelock.bridge.LockMode;
import io.deeplakelock.rules.LockPolicy;

/** What one guarded call asks of a lock, carried along for its messages and policies. */
public final class CallSite {

  final String rule;
  final String method;
  final String dataset;
  final LockMode mode;
  final LockPolicy policy;

  /**
   * @param rule the rule's name
   * @param method the guarded method, as {@code Class.method}
   * @param dataset the dataset path as evaluated, or null for a fixed lock path
   */
  public CallSite(String rule, String method, String dataset, LockMode mode, LockPolicy policy) {
    this.rule = rule;
    this.method = method;
    this.dataset = dataset;
    this.mode = mode;
    this.policy = policy;
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
        + method
        + ")";
  }
}
