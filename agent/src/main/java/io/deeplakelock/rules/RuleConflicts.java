package io.deeplakelock.rules;

import java.util.List;

/**
 * Refuses two rules that put different locks on one method of one named class: such a method cannot
 * be guarded without guessing. Globs and subtypes are checked as classes load, by the agent.
 */
final class RuleConflicts {

  private RuleConflicts() {}

  /**
   * The conflict of {@code rule} with the first of {@code earlier} that guards one of its methods
   * differently, as a message that says what to change; null when there is none.
   */
  static String find(Rule rule, List<Rule> earlier) {
    if (!namesOneClass(rule)) {
      return null;
    }
    for (Rule other : earlier) {
      if (!namesOneClass(other)
          || !other.className().equals(rule.className())
          || rule.sameGuard(other)) {
        continue;
      }
      for (MethodSelector a : rule.methods()) {
        for (MethodSelector b : other.methods()) {
          if (a.overlaps(b)) {
            return conflict(other, rule, a);
          }
        }
      }
    }
    return null;
  }

  private static boolean namesOneClass(Rule rule) {
    return rule.classPattern() != null && rule.classPattern().isExact();
  }

  private static String conflict(Rule first, Rule second, MethodSelector method) {
    return "rules '"
        + first.name()
        + "' ("
        + first.position()
        + ") and '"
        + second.name()
        + "' both guard "
        + second.className()
        + "."
        + method
        + (first.sameLock(second)
            ? " with different settings ("
                + first.guardLabel()
                + " vs "
                + second.guardLabel()
                + "); a method is guarded one way"
            : " with different locks ("
                + first.lockLabel()
                + " vs "
                + second.lockLabel()
                + "); a method takes one lock")
        + ": remove it from one of the rules";
  }
}
