package io.deeplakelock.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.rules.AgentConfig;
import io.deeplakelock.rules.Rule;
import io.deeplakelock.rules.RuleFile;
import io.deeplakelock.rules.RuleFileException;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import org.junit.jupiter.api.Test;

/** Unit tests for {@link GuardPlan}: which rule guards which method, on loaded sample types. */
class GuardPlanTest {

  /** A repository interface with an abstract and a default method. */
  public interface Repo {
    void put(String key);

    default void purge() {}
  }

  /** Implements only the abstract method. */
  public static class RepoImpl implements Repo {
    @Override
    public void put(String key) {}
  }

  /** A nested class that rules may name as Outer.Inner. */
  public static class Nested {
    public void get() {}
  }

  @Test
  void defaultMethodOfAnInterfaceIsGuardedAbstractOneIsNot() throws RuleFileException {
    GuardPlan plan = plan(rule("r", "subtypesOf: " + Repo.class.getName(), "[put, purge]", ""));
    assertEquals(List.of("purge"), guardedNames(plan, Repo.class));
    assertEquals(List.of("put"), guardedNames(plan, RepoImpl.class));
  }

  @Test
  void nestedClassMayBeWrittenWithADot() throws RuleFileException {
    String dotted = Nested.class.getName().replace('$', '.');
    assertEquals(
        List.of("get"),
        guardedNames(plan(rule("r", "class: " + dotted, "[get]", "")), Nested.class));
  }

  @Test
  void identicalRulesBothCountAsMatchedAndOneGuards() throws RuleFileException {
    String cls = "class: " + Nested.class.getName();
    GuardPlan plan =
        plan(rule("a", cls, "[get]", ""), rule("b", cls.replace("Nested", "Nest*"), "[get]", ""));
    GuardPlan.Assignment a = plan.assign(TypeDescription.ForLoadedType.of(Nested.class));
    assertEquals(1, a.guarded().size());
    assertTrue(a.conflicts().isEmpty());
    assertEquals(
        new TreeSet<>(List.of("a", "b")),
        a.matched().keySet().stream()
            .map(Rule::name)
            .collect(Collectors.toCollection(TreeSet::new)));
  }

  @Test
  void sameLockWithDifferentSettingsIsAConflict() throws RuleFileException {
    String cls = "class: " + Nested.class.getName();
    GuardPlan plan =
        plan(
            rule("a", cls, "[get]", ""),
            rule("b", cls.replace("Nested", "Nest*"), "[get]", "    afterAcquire: this.get()\n"));
    GuardPlan.Assignment a = plan.assign(TypeDescription.ForLoadedType.of(Nested.class));
    assertTrue(a.guarded().isEmpty());
    assertEquals(1, a.conflicts().size());
    assertEquals(2, a.matched().size(), "both rules matched; neither is dead");
  }

  @Test
  void overloadsWrittenWithAndWithoutPackageConflictAtStartup() {
    String cls = "class: " + Nested.class.getName();
    RuleFileException e =
        assertThrows(
            RuleFileException.class,
            () ->
                config(
                    rule("a", cls, "[\"put(String)\"]", ""),
                    rule("b", cls, "[\"put(java.lang.String)\"]", "").replace("write", "read")));
    assertTrue(e.getMessage().contains("with different locks"), e.getMessage());
  }

  @Test
  void exactRulesWithSameLockButDifferentSettingsFailAtStartup() {
    String cls = "class: " + Nested.class.getName();
    RuleFileException e =
        assertThrows(
            RuleFileException.class,
            () ->
                config(rule("a", cls, "[get]", ""), rule("b", cls, "[get]", "    timeout: 5s\n")));
    assertTrue(e.getMessage().contains("with different settings"), e.getMessage());
  }

  private static String rule(String name, String selector, String methods, String extra) {
    return "  - name: "
        + name
        + "\n    "
        + selector
        + "\n    methods: "
        + methods
        + "\n    lock: write\n    dataset: /ds\n"
        + extra;
  }

  private static AgentConfig config(String... rules) throws RuleFileException {
    return RuleFile.parse(
        "t.yaml",
        "zookeeper:\n  connect: 127.0.0.1:2181\nrules:\n" + String.join("", rules),
        n -> null);
  }

  private static GuardPlan plan(String... rules) throws RuleFileException {
    return new GuardPlan(config(rules).rules());
  }

  private static List<String> guardedNames(GuardPlan plan, Class<?> type) {
    Map<MethodDescription.InDefinedShape, Rule> guarded =
        plan.assign(TypeDescription.ForLoadedType.of(type)).guarded();
    return guarded.keySet().stream().map(MethodDescription::getName).sorted().toList();
  }
}
