package io.deeplakelock.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.rules.RuleFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.type.TypeDescription;
import org.junit.jupiter.api.Test;

/**
 * Unit tests for {@link UnmatchedRules}: a rule that has guarded nothing is reported only when that
 * means something, never merely because the service is slow to load its classes.
 */
class UnmatchedRulesTest {

  /** A loaded class a rule can name, without the method the rule asks for. */
  public static class Store {
    public void put(String key) {}
  }

  @Test
  void noWarningWhileNoClassOfTheRuleHasBeenLoaded() throws Exception {
    // A slow-starting service: 30 s after start its classes are not loaded yet.
    GuardTransformer transformer = transformer("class: com.example.NotLoadedYet", "[append]");

    assertEquals("", stderrOf(() -> new UnmatchedRules(() -> transformer, "rules.yaml").run()));
  }

  @Test
  void warnsOnceAClassOfTheRuleIsLoadedWithoutItsMethods() throws Exception {
    GuardTransformer transformer = transformer("class: " + Store.class.getName(), "[append]");
    transformer.transform(
        new ByteBuddy().redefine(Store.class),
        TypeDescription.ForLoadedType.of(Store.class),
        null,
        null,
        null);

    String warning = stderrOf(() -> new UnmatchedRules(() -> transformer, "rules.yaml").run());

    assertTrue(warning.contains("rule 'r'"), warning);
    assertTrue(
        warning.contains(Store.class.getName() + " is loaded but has no method matching [append]"),
        warning);
    assertEquals(1, warning.lines().count(), warning);
  }

  private static GuardTransformer transformer(String selector, String methods) throws Exception {
    String yaml =
        "zookeeper:\n  connect: 127.0.0.1:2181\nrules:\n  - name: r\n    "
            + selector
            + "\n    methods: "
            + methods
            + "\n    lock: write\n    dataset: /ds\n";
    return new GuardTransformer(
        RuleFile.parse("rules.yaml", yaml, n -> null).rules(), new Conflicts());
  }

  /** What {@code action} logs to stderr. */
  static String stderrOf(Runnable action) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Test
  void atShutdownEveryRuleThatGuardedNothingIsReported() throws Exception {
    GuardTransformer transformer = transformer("class: com.example.NeverLoaded", "[append]");

    String warning =
        stderrOf(() -> new UnmatchedRules(() -> transformer, "rules.yaml").atShutdown());

    assertTrue(warning.contains("rule 'r' (rules.yaml:4:5) guarded no method"), warning);
    assertTrue(warning.contains("com.example.NeverLoaded"), warning);
  }

  @Test
  void aRuleThatGuardsSomethingIsNeverReported() throws Exception {
    GuardTransformer transformer = transformer("class: " + Store.class.getName(), "[put]");
    transformer.transform(
        new ByteBuddy().redefine(Store.class),
        TypeDescription.ForLoadedType.of(Store.class),
        null,
        null,
        null);
    UnmatchedRules unmatched = new UnmatchedRules(() -> transformer, "rules.yaml");

    assertEquals("", stderrOf(unmatched::run));
    assertEquals("", stderrOf(unmatched::atShutdown));
  }
}
