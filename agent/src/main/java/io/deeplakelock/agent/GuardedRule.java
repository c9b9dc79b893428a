package io.deeplakelock.agent;

import io.deeplakelock.lock.LockRequest;
import io.deeplakelock.rules.Rule;

/** A rule in force with the lock request its calls pass, built once when the rule is adopted. */
final class GuardedRule {

  final Rule rule;
  final LockRequest request;

  GuardedRule(Rule rule) {
    this.rule = rule;
    this.request = new LockRequest(rule.name(), rule.mode(), rule.policy());
  }
}
