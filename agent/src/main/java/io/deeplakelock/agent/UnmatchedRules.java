package io.deeplakelock.agent;

import io.deeplakelock.rules.Rule;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns about rules that have guarded nothing: usually a misspelt class or method, which would
 * otherwise leave the service silently unlocked.
 *
 * <p>Only when it means something. While the service runs ({@link #run}, every 30 s), a rule is
 * reported once a class its class pattern names has been loaded without any method the rule names;
 * a rule whose classes are simply not loaded yet (a slow-starting service, a class used only later)
 * is not. At shutdown ({@link #atShutdown}) every rule that never guarded anything is reported.
 */
final class UnmatchedRules implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(UnmatchedRules.class);

  private final Supplier<GuardTransformer> transformers;
  private final String rulesFile;
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  UnmatchedRules(Supplier<GuardTransformer> transformers, String rulesFile) {
    this.transformers = transformers;
    this.rulesFile = rulesFile;
  }

  /** The periodic check: rules whose classes are loaded but lack the methods they name. */
  @Override
  public void run() {
    GuardTransformer transformer = transformers.get();
    for (Rule rule : transformer.rules()) {
      Set<String> loaded = transformer.loadedWithoutMethods(rule);
      if (loaded.isEmpty()
          || transformer.matchedRules().contains(rule.name())
          || !warned.add(rule.name())) {
        continue;
      }
      log.warn(
          "rule '{}' ({}) has not guarded any method yet: {} is loaded but has no method"
              + " matching {}; check the names with: java -jar deeplake-lock.jar check --config {}"
              + " --classpath <your classpath>",
          rule.name(),
          rule.position(),
          String.join(", ", loaded),
          rule.methods(),
          rulesFile);
    }
  }

  /** At shutdown: every rule that never guarded a method, whatever was loaded. */
  void atShutdown() {
    GuardTransformer transformer = transformers.get();
    for (Rule rule : transformer.rules()) {
      if (!transformer.matchedRules().contains(rule.name())) {
        log.warn(
            "rule '{}' ({}) guarded no method while this JVM ran: no loaded class matched {} with"
                + " methods {}; check the names with: java -jar deeplake-lock.jar check --config {}"
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
