package io.deeplakelock.agent;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAnnotatedWith;
import static net.bytebuddy.matcher.ElementMatchers.named;

import io.deeplakelock.rules.MethodSelector;
import io.deeplakelock.rules.Rule;
import io.deeplakelock.rules.RuleFile;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Decides which rule guards which method of a type; shared by the running agent and {@code check},
 * so what {@code check} prints is what the agent does.
 *
 * <p>Matching is ordered by cost: exact class names are a hash lookup, globs a regular expression
 * on the name, and only rules that ask for {@code subtypesOf} or {@code annotatedWith} make a class
 * file be parsed. Abstract, native, bridge and synthetic methods and constructors never match; an
 * interface's default and static methods are implementations, so they do.
 *
 * <p>Several rules may match one method only if they guard it identically (same lock, policies,
 * afterAcquire and mode); otherwise the method is a conflict and every call to it is refused.
 */
public final class GuardPlan {

  private final List<Rule> rules;
  private final Map<String, List<Rule>> byExactName = new HashMap<>();
  private final List<Rule> byPattern = new ArrayList<>();
  private final List<Rule> byStructure = new ArrayList<>(); // subtypesOf or annotatedWith only
  private final Map<Integer, ElementMatcher<TypeDescription>> structural = new HashMap<>();
  private final Undecided undecided;

  /** Told when a rule cannot decide about a type (a supertype's class file cannot be read). */
  public interface Undecided {
    void report(Rule rule, TypeDescription type, ClassLoader loader, RuntimeException why);
  }

  public GuardPlan(List<Rule> rules) {
    this(rules, (rule, type, loader, why) -> {});
  }

  public GuardPlan(List<Rule> rules, Undecided undecided) {
    this.rules = rules;
    this.undecided = undecided;
    for (Rule rule : rules) {
      if (rule.classPattern() != null && rule.classPattern().isExact()) {
        byExactName.computeIfAbsent(rule.className(), k -> new ArrayList<>()).add(rule);
      } else if (rule.classPattern() != null) {
        byPattern.add(rule);
      } else {
        byStructure.add(rule);
      }
      if (rule.subtypesOf() != null) {
        structural.put(rule.id(), hasSuperType(named(rule.subtypesOf())));
      } else if (rule.annotatedWith() != null && rule.classPattern() == null) {
        ElementMatcher.Junction<MethodDescription> annotated =
            isAnnotatedWith(named(rule.annotatedWith()));
        structural.put(
            rule.id(),
            type ->
                isAnnotatedWith(named(rule.annotatedWith())).matches(type)
                    || !type.getDeclaredMethods().filter(annotated).isEmpty());
      }
    }
  }

  /** The rules. */
  public List<Rule> rules() {
    return rules;
  }

  /** The rules whose class selector takes {@code type}; cheap tests first. */
  public List<Rule> rulesFor(TypeDescription type) {
    return rulesFor(type, null);
  }

  /** As {@link #rulesFor(TypeDescription)}, for a type of {@code loader}. */
  public List<Rule> rulesFor(TypeDescription type, ClassLoader loader) {
    String name = type.getName();
    List<Rule> out = null;
    List<Rule> exact = byExactName.get(name);
    if (exact == null && name.indexOf('$') >= 0) {
      exact = byExactName.get(name.replace('$', '.')); // a nested class written Outer.Inner
    }
    if (exact != null) {
      out = new ArrayList<>(exact);
    }
    for (Rule rule : byPattern) {
      if (rule.classPattern().matches(name)) {
        out = add(out, rule);
      }
    }
    if (!byStructure.isEmpty()) {
      for (Rule rule : byStructure) {
        // One rule that cannot decide must not keep the other rules from guarding the class.
        try {
          if (structural.get(rule.id()).matches(type)) {
            out = add(out, rule);
          }
        } catch (RuntimeException e) {
          undecided.report(rule, type, loader, e);
        }
      }
    }
    return out == null ? Collections.<Rule>emptyList() : out;
  }

  /**
   * Which rule guards each method of {@code type}: one rule per method, or a conflict when rules
   * that take different locks both match it.
   */
  public Assignment assign(TypeDescription type) {
    return assign(type, null);
  }

  /** As {@link #assign(TypeDescription)}, for a type of {@code loader}. */
  public Assignment assign(TypeDescription type, ClassLoader loader) {
    Map<MethodDescription.InDefinedShape, Rule> guarded = new LinkedHashMap<>();
    Map<MethodDescription.InDefinedShape, List<Rule>> conflicts = new LinkedHashMap<>();
    Map<Rule, List<MethodDescription.InDefinedShape>> matched = new LinkedHashMap<>();
    List<Rule> candidates = rulesFor(type, loader);
    if (candidates.isEmpty()) {
      return new Assignment(guarded, conflicts, matched);
    }
    for (MethodDescription.InDefinedShape method : type.getDeclaredMethods()) {
      if (!guardable(method)) {
        continue;
      }
      List<Rule> matching = new ArrayList<>();
      for (Rule rule : candidates) {
        if (selects(rule, type, method)) {
          matching.add(rule);
        }
      }
      if (matching.isEmpty()) {
        continue;
      }
      boolean agree = true;
      for (Rule other : matching) {
        agree &= RuleFile.sameGuard(matching.get(0), other);
        matched.computeIfAbsent(other, k -> new ArrayList<>()).add(method);
      }
      if (agree) {
        guarded.put(method, matching.get(0));
      } else {
        conflicts.put(method, matching);
      }
    }
    return new Assignment(guarded, conflicts, matched);
  }

  private static boolean guardable(MethodDescription method) {
    return method.isMethod()
        && !method.isAbstract()
        && !method.isNative()
        && !method.isBridge()
        && !method.isSynthetic();
  }

  private static boolean selects(Rule rule, TypeDescription type, MethodDescription method) {
    // annotatedWith: the class or the method itself must carry the annotation.
    if (rule.annotatedWith() != null
        && !isAnnotatedWith(named(rule.annotatedWith())).matches(type)
        && !isAnnotatedWith(named(rule.annotatedWith())).matches(method)) {
      return false;
    }
    for (MethodSelector selector : rule.methods()) {
      if (selector.matchesName(method.getName()) && parametersMatch(selector, method)) {
        return true;
      }
    }
    return false;
  }

  private static boolean parametersMatch(MethodSelector selector, MethodDescription method) {
    List<String> written = selector.parameterTypes();
    if (written == null) {
      return true;
    }
    List<TypeDescription> actual = method.getParameters().asTypeList().asErasures();
    if (actual.size() != written.size()) {
      return false;
    }
    for (int i = 0; i < written.size(); i++) {
      if (!MethodSelector.sameType(written.get(i), actual.get(i).getActualName())) {
        return false;
      }
    }
    return true;
  }

  private static List<Rule> add(List<Rule> list, Rule rule) {
    List<Rule> out = list == null ? new ArrayList<>() : list;
    if (!out.contains(rule)) {
      out.add(rule);
    }
    return out;
  }

  /** The outcome for one type. */
  public static final class Assignment {
    private final Map<MethodDescription.InDefinedShape, Rule> guarded;
    private final Map<MethodDescription.InDefinedShape, List<Rule>> conflicts;
    private final Map<Rule, List<MethodDescription.InDefinedShape>> matched;

    Assignment(
        Map<MethodDescription.InDefinedShape, Rule> guarded,
        Map<MethodDescription.InDefinedShape, List<Rule>> conflicts,
        Map<Rule, List<MethodDescription.InDefinedShape>> matched) {
      this.guarded = guarded;
      this.conflicts = conflicts;
      this.matched = matched;
    }

    /**
     * Every rule that selected a method of the type, with those methods: also the rules whose
     * method another identical rule guards, and rules in a conflict (they are not dead).
     */
    public Map<Rule, List<MethodDescription.InDefinedShape>> matched() {
      return matched;
    }

    /** Each guarded method with the rule that guards it, in declaration order. */
    public Map<MethodDescription.InDefinedShape, Rule> guarded() {
      return guarded;
    }

    /** Methods that rules with different locks both match: they fail closed. */
    public Map<MethodDescription.InDefinedShape, List<Rule>> conflicts() {
      return conflicts;
    }

    public boolean isEmpty() {
      return guarded.isEmpty() && conflicts.isEmpty();
    }
  }
}
