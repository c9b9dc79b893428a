package io.deeplakelock.agent;

import static net.bytebuddy.matcher.ElementMatchers.anyOf;

import io.deeplakelock.rules.Rule;
import io.deeplakelock.rules.RuleFile;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Weaves {@link GuardAdvice} into the methods the {@link GuardPlan} assigns, with the rule's id
 * bound as a constant, so nothing is looked up by name when a guarded method runs.
 */
final class GuardTransformer implements AgentBuilder.Transformer {

  private static final Logger log = LoggerFactory.getLogger(GuardTransformer.class);

  private final GuardPlan plan;
  private final Conflicts conflicts;
  private final Map<Integer, Advice> adviceByRule = new ConcurrentHashMap<>();
  private final Set<String> matchedRules = ConcurrentHashMap.newKeySet();
  // Per rule name: classes its class pattern selected that had no method it names (a few).
  private final Map<String, Set<String>> loadedWithoutMethods = new ConcurrentHashMap<>();
  private final Set<String> selectedTypes = ConcurrentHashMap.newKeySet();
  private final Set<String> undecidedReported = ConcurrentHashMap.newKeySet();
  private final AtomicInteger instrumentedMethods = new AtomicInteger();
  private volatile boolean superseded;

  GuardTransformer(List<Rule> rules, Conflicts conflicts) {
    this.plan = new GuardPlan(rules, this::undecided);
    this.conflicts = conflicts;
  }

  private void undecided(
      Rule rule, TypeDescription type, ClassLoader loader, RuntimeException why) {
    // Once per rule and loader: such a loader usually hides the class files of all its classes.
    if (!undecidedReported.add(rule.id() + " " + System.identityHashCode(loader))) {
      log.debug("rule '{}' cannot tell whether {} is one of its classes", rule.name(), type);
      return;
    }
    log.error(
        "rule '{}' ({}) cannot tell whether {} (and maybe other classes of loader {}) is one of"
            + " its classes ({}): if it is, its methods run WITHOUT the dataset lock; name such"
            + " classes in a class: rule instead",
        rule.name(),
        rule.classSelector(),
        type.getName(),
        loader,
        why.toString());
  }

  /** Whether a type may need advice; remembers the types it said yes to, for error reports. */
  AgentBuilder.RawMatcher typeMatcher() {
    return (type, loader, module, redefined, domain) -> {
      boolean selected = !superseded && !plan.rulesFor(type, loader).isEmpty();
      if (selected) {
        selectedTypes.add(type.getName());
      }
      return selected;
    };
  }

  /**
   * After a reload: contributes nothing to any later (re)transformation, so retransforming a class
   * with the new transformer installed swaps old advice for new in one step.
   */
  void supersede() {
    superseded = true;
  }

  /** The rules this transformer weaves. */
  List<Rule> rules() {
    return plan.rules();
  }

  /** True when a rule selected the named type, so a failure to instrument it matters. */
  boolean selected(String typeName) {
    return selectedTypes.contains(typeName);
  }

  /** Methods woven with advice so far (counted again when a class is retransformed). */
  int instrumentedMethods() {
    return instrumentedMethods.get();
  }

  /**
   * Records the rules whose class pattern selected {@code type} but none of whose methods it has:
   * evidence that a rule is dead, as opposed to its classes not being loaded yet. Only rules that
   * select by class name alone: a subtype rule also selects the interface (whose abstract methods
   * are never guarded), an annotation rule any class of its package.
   */
  private void noteLoadedWithoutMethods(
      TypeDescription type, ClassLoader loader, GuardPlan.Assignment assignment) {
    for (Rule rule : plan.rulesFor(type, loader)) {
      if (rule.classPattern() != null
          && rule.annotatedWith() == null
          && !assignment.matched().containsKey(rule)) {
        Set<String> types =
            loadedWithoutMethods.computeIfAbsent(rule.name(), k -> ConcurrentHashMap.newKeySet());
        if (types.size() < 3) {
          types.add(type.getName());
        }
      }
    }
  }

  /** Classes the rule's class pattern selected that have none of its methods; empty if none. */
  Set<String> loadedWithoutMethods(Rule rule) {
    Set<String> types = loadedWithoutMethods.get(rule.name());
    return types == null ? java.util.Collections.<String>emptySet() : types;
  }

  /** The names of rules that have guarded at least one method so far. */
  Set<String> matchedRules() {
    return matchedRules;
  }

  @Override
  public DynamicType.Builder<?> transform(
      DynamicType.Builder<?> builder,
      TypeDescription type,
      ClassLoader loader,
      JavaModule module,
      ProtectionDomain domain) {
    if (superseded) {
      return builder;
    }
    GuardPlan.Assignment assignment = plan.assign(type, loader);
    Map<Integer, List<MethodDescription>> methodsById = new LinkedHashMap<>();
    for (Rule rule : assignment.matched().keySet()) {
      matchedRules.add(rule.name());
    }
    noteLoadedWithoutMethods(type, loader, assignment);
    for (Map.Entry<MethodDescription.InDefinedShape, Rule> e : assignment.guarded().entrySet()) {
      Rule rule = e.getValue();
      MethodDescription method = e.getKey();
      instrumentedMethods.incrementAndGet();
      methodsById.computeIfAbsent(rule.id(), k -> new ArrayList<>()).add(method);
      log.debug(
          "instrumenting {}.{}{} with rule '{}': {}",
          type.getName(),
          method.getName(),
          method.getDescriptor(),
          rule.name(),
          RuleFile.lockLabel(rule));
    }
    for (Map.Entry<MethodDescription.InDefinedShape, List<Rule>> e :
        assignment.conflicts().entrySet()) {
      String message = conflictMessage(type, e.getKey(), e.getValue());
      log.error("{}; every call to it will be refused until the rules are fixed", message);
      methodsById
          .computeIfAbsent(conflicts.register(message), k -> new ArrayList<>())
          .add(e.getKey());
    }
    for (Map.Entry<Integer, List<MethodDescription>> e : methodsById.entrySet()) {
      builder = builder.visit(advice(e.getKey()).on(anyOf(e.getValue())));
    }
    return builder;
  }

  private Advice advice(int id) {
    return adviceByRule.computeIfAbsent(
        id, k -> Advice.withCustomMapping().bind(RuleId.class, k).to(GuardAdvice.class));
  }

  private static String conflictMessage(
      TypeDescription type, MethodDescription method, List<Rule> rules) {
    boolean sameLocks = true;
    for (Rule rule : rules) {
      sameLocks &= RuleFile.sameLockOnly(rules.get(0), rule);
    }
    StringBuilder out =
        new StringBuilder(
                sameLocks ? "rules with different settings" : "rules with different locks")
            .append(" all match ")
            .append(type.getName())
            .append('.')
            .append(method.getName())
            .append(method.getDescriptor())
            .append(':');
    for (Rule rule : rules) {
      out.append(" '")
          .append(rule.name())
          .append("' (")
          .append(rule.position())
          .append(", ")
          .append(sameLocks ? RuleFile.guardLabel(rule) : RuleFile.lockLabel(rule))
          .append(')');
    }
    return out.append("; remove the method from all but one of them").toString();
  }
}
