package io.deeplakelock.agent;

import io.deeplakelock.rules.Rule;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns about rules that have guarded nothing yet: usually a misspelt class or method, which would
 * otherwise leave the service silently unlocked. Runs 30 s after start-up and at shutdown.
 */
final class UnmatchedRules implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(UnmatchedRules.class);

  private final Supplier<GuardTransformer> transformers;
  private final String rulesFile;

  UnmatchedRules(Supplier<GuardTransformer> transformers, String rulesFile) {
    this.transformers = transformers;
    this.rulesFile = rulesFile;
  }

  @Override
  public void run() {
    GuardTransformer transformer = transformers.get();
    for (Rule rule : transformer.rules()) {
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
