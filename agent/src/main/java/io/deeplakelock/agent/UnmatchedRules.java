package io.deeplakelock.agent;

import io.deeplakelock.rules.Rule;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns about rules that have guarded nothing yet: usually a misspelt class or method, which would
 * otherwise leave the service silently unlocked. Runs 30 s after start-up and at shutdown.
 */
final class UnmatchedRules implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(UnmatchedRules.class);

  private final List<Rule> rules;
  private final GuardTransformer transformer;
  private final String rulesFile;

  UnmatchedRules(List<Rule> rules, GuardTransformer transformer, String rulesFile) {
    this.rules = rules;
    this.transformer = transformer;
    this.rulesFile = rulesFile;
  }

  @Override
  public void run() {
    for (Rule rule : rules) {
      if (!transformer.matchedRules().contains(rule.name())) {
        log.warn(
            "rule '{}' ({}) has not guarded any method yet: no loaded class matches {} with methods"
                + " {}; check the names with: java -jar deeplake-lock.jar check --config {}"
                + " --classpath <your classpath>",
            rule.name(),
            rule.position(),
            rule.classSelector(),
            rule.methods(),
            rulesFile);
      }
    }
  }
}
