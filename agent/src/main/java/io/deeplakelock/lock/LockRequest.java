package io.deeplakelock.lock;

import io.deeplakelock.bridge.LockMode;
import io.deeplakelock.rules.LockPolicy;

/**
 * What every call of one rule asks of a lock: the rule's name, the mode and the policies. Built
 * once per rule when the rules are loaded, so that a guarded call passes this one immutable value
 * (with its dataset) rather than the loose fields.
 */
public final class LockRequest {

  final String rule;
  final LockMode mode;
  final LockPolicy policy;

  /**
   * @param rule the rule's name, for messages
   */
  public LockRequest(String rule, LockMode mode, LockPolicy policy) {
    this.rule = rule;
    this.mode = mode;
    this.policy = policy;
  }
}
