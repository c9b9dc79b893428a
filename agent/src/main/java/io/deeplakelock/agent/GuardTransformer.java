package io.deeplakelock.agent;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isBridge;
import static net.bytebuddy.matcher.ElementMatchers.isMethod;
import static net.bytebuddy.matcher.ElementMatchers.isNative;
import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.none;
import static net.bytebuddy.matcher.ElementMatchers.not;

import io.deeplakelock.rules.MethodSelector;
import io.deeplakelock.rules.Rule;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDefinition;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Weaves {@link GuardAdvice} into the methods each rule names, with the rule's id bound as a
 * constant, so nothing is looked up by name when a guarded method runs.
 */
final class GuardTransformer implements AgentBuilder.Transformer {

  private static final Logger log = LoggerFactory.getLogger(GuardTransformer.class);

  private final Map<String, List<Rule>> rulesByClass = new HashMap<>();
  private final Map<Integer, Advice> adviceByRule = new HashMap<>();
  private final Map<Integer, ElementMatcher<MethodDescription>> methodsByRule = new HashMap<>();
  private final Set<String> matchedRules = ConcurrentHashMap.newKeySet();

  GuardTransformer(List<Rule> rules) {
    for (Rule rule : rules) {
      rulesByClass.computeIfAbsent(rule.className(), k -> new ArrayList<>()).add(rule);
      adviceByRule.put(
          rule.id(),
          Advice.withCustomMapping().bind(RuleId.class, rule.id()).to(GuardAdvice.class));
      methodsByRule.put(rule.id(), methodMatcher(rule));
    }
  }

  /** The cheap, name-only test of whether a type may need advice at all. */
  ElementMatcher<TypeDescription> typeMatcher() {
    return type -> rulesByClass.containsKey(type.getName()) && !type.isInterface();
  }

  /** The names of rules that have instrumented at least one class so far. */
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
    List<Rule> rules = rulesByClass.get(type.getName());
    if (rules == null) {
      return builder;
    }
    for (Rule rule : rules) {
      ElementMatcher<MethodDescription> methods = methodsByRule.get(rule.id());
      int count = 0;
      for (MethodDescription.InDefinedShape method : type.getDeclaredMethods()) {
        if (methods.matches(method)) {
          count++;
          log.debug(
              "instrumenting {}.{}{} with rule '{}': {} lock on {}",
              type.getName(),
              method.getName(),
              method.getDescriptor(),
              rule.name(),
              rule.mode().label(),
              rule.lockPath() != null ? rule.lockPath() : rule.dataset());
        }
      }
      if (count > 0) {
        matchedRules.add(rule.name());
        builder = builder.visit(adviceByRule.get(rule.id()).on(methods));
      } else {
        log.warn(
            "rule '{}' ({}) names {} but none of its methods {} exist there",
            rule.name(),
            rule.position(),
            type.getName(),
            rule.methods());
      }
    }
    return builder;
  }

  private static ElementMatcher<MethodDescription> methodMatcher(Rule rule) {
    ElementMatcher.Junction<MethodDescription> names = none();
    for (MethodSelector selector : rule.methods()) {
      ElementMatcher.Junction<MethodDescription> one = named(selector.name());
      if (selector.parameterTypes() != null) {
        one = one.and(new ParameterTypes(selector.parameterTypes()));
      }
      names = names.or(one);
    }
    return isMethod()
        .and(not(isAbstract()))
        .and(not(isBridge()))
        .and(not(isSynthetic()))
        .and(not(isNative()))
        .and(names);
  }

  /** Matches a method whose erased parameter types are exactly those a rule wrote. */
  private static final class ParameterTypes implements ElementMatcher<MethodDescription> {
    private final List<String> written;

    ParameterTypes(List<String> written) {
      this.written = written;
    }

    @Override
    public boolean matches(MethodDescription method) {
      List<TypeDescription> actual = method.getParameters().asTypeList().asErasures();
      if (actual.size() != written.size()) {
        return false;
      }
      for (int i = 0; i < written.size(); i++) {
        TypeDefinition type = actual.get(i);
        if (!MethodSelector.sameType(written.get(i), type.getActualName())) {
          return false;
        }
      }
      return true;
    }
  }
}
