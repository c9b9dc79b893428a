package io.deeplakelock.agent;

import static net.bytebuddy.matcher.ElementMatchers.anyOf;

import io.deeplakelock.rules.CallInput;
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
 * Weaves advice into the methods the {@link GuardPlan} assigns, with the rule's id bound as a
 * constant, so nothing is looked up by name when a guarded method runs: {@link InputGuardAdvice}
 * when the rule reads at most one value of the call (its {@link CallInput}), {@link GuardAdvice}
 * (every argument) when it reads more.
 */
final class GuardTransformer implements AgentBuilder.Transformer {

  private static final Logger log = LoggerFactory.getLogger(GuardTransformer.class);

  private final GuardPlan plan;
  private final Conflicts conflicts;
  private final Map<String, Advice> adviceByShape = new ConcurrentHashMap<>();
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
    Map<Advice, List<MethodDescription>> methodsByAdvice = new LinkedHashMap<>();
    for (Rule rule : assignment.matched().keySet()) {
      matchedRules.add(rule.name());
    }
    noteLoadedWithoutMethods(type, loader, assignment);
    for (Map.Entry<MethodDescription.InDefinedShape, Rule> e : assignment.guarded().entrySet()) {
      Rule rule = e.getValue();
      MethodDescription method = e.getKey();
      instrumentedMethods.incrementAndGet();
      methodsByAdvice
          .computeIfAbsent(advice(rule.id(), rule.input(), method), k -> new ArrayList<>())
          .add(method);
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
      // The call is refused before any value of it is read.
      methodsByAdvice
          .computeIfAbsent(
              advice(conflicts.register(message), CallInput.NONE, e.getKey()),
              k -> new ArrayList<>())
          .add(e.getKey());
    }
    for (Map.Entry<Advice, List<MethodDescription>> e : methodsByAdvice.entrySet()) {
      builder = builder.visit(e.getKey().on(anyOf(e.getValue())));
    }
    return builder;
  }

  /**
   * The advice for rule {@code id} on {@code method}: {@link InputGuardAdvice} passing only what
   * the rule reads when the method has it, else {@link GuardAdvice} with every argument. One
   * instance per rule and shape, so methods that share it are woven in one visit.
   */
  private Advice advice(int id, CallInput input, MethodDescription method) {
    boolean one = input.kind() != CallInput.Kind.ALL && GuardInputBinding.fits(input, method);
    return adviceByShape.computeIfAbsent(
        id + (one ? " " + input : " all"),
        k ->
            one
                ? Advice.withCustomMapping()
                    .bind(RuleId.class, id)
                    .bind(new GuardInputBinding(input))
                    .to(InputGuardAdvice.class, GuardAdvice.class)
                : Advice.withCustomMapping().bind(RuleId.class, id).to(GuardAdvice.class));
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
