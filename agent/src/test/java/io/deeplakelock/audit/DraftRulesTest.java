package io.deeplakelock.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Unit tests for {@link DraftRules}: how findings become rules. */
class DraftRulesTest {

  private static final String RULES =
      "# comment\nzookeeper:\n  connect: \"${ZK}\"\n\nlocks:\n  root: /dl\nmode: discover\n"
          + "audit:\n  roots: [/data]\n";

  private static Finding finding(
      String jvm,
      String method,
      String descriptor,
      String params,
      int overloads,
      long writes,
      long reads,
      String... expressions) {
    Finding f = new Finding(jvm, "com.acme.Store", method);
    f.descriptor = descriptor;
    f.parameters = params;
    f.overloads = overloads;
    f.writes = writes;
    f.reads = reads;
    f.datasets.add("/data/a");
    if (!descriptor.equals(Finding.UNSEEN)) {
      f.matched(Arrays.asList(expressions));
    }
    return f;
  }

  @Test
  void methodsWithOneLockAndExpressionShareARule() {
    List<Finding> all =
        Arrays.asList(
            finding("j1", "append", "(I)V", "int", 1, 5, 2, "this.path", "this.getPath()"),
            finding("j2", "delete", "(J)V", "long", 1, 1, 1, "this.path"),
            finding("j2", "search", "()V", "", 1, 0, 4, "this.path"));
    String text = DraftRules.render(all, RULES, Arrays.asList("/data")).text;
    assertTrue(
        text.contains(
            "  - name: store-writes\n    class: com.acme.Store\n    methods: [append, delete]\n"
                + "    lock: write\n    dataset: this.path   # named the dataset in all 2 call(s)"
                + " seen\n"),
        text);
    assertTrue(text.contains("    methods: [search]\n    lock: read\n"), text);
    assertTrue(text.startsWith("# Draft rules"), text);
    assertTrue(
        text.contains("zookeeper:\n  connect: \"${ZK}\"\nlocks:\n  root: /dl\nmode: enforce\n"),
        text);
    assertTrue(text.contains("audit:\n  mode: warn\n  roots: [\"/data\"]\n"), text);
  }

  @Test
  void overloadsWithDifferentExpressionsAreNamedBySignature() {
    List<Finding> all =
        Arrays.asList(
            finding("j", "save", "(Ljava/lang/String;)V", "java.lang.String", 2, 1, 0, "arg0"),
            finding("j", "save", "(Lcom/acme/Job;)V", "com.acme.Job", 2, 1, 0, "arg0.target"));
    String text = DraftRules.render(all, RULES, Collections.<String>emptyList()).text;
    assertTrue(
        text.contains("methods: [save(java.lang.String)]\n    lock: write\n    dataset: arg0 "),
        text);
    assertTrue(
        text.contains("methods: [save(com.acme.Job)]\n    lock: write\n    dataset: arg0.target "),
        text);
  }

  @Test
  void aMethodWithoutAnExpressionIsACommentedTodo() {
    List<Finding> all =
        Arrays.asList(
            finding("j", "sync", Finding.UNSEEN, Finding.UNSEEN, 1, 3, 0),
            finding("j", "flush", "()V", "", 1, 2, 0));
    DraftRules.Rendered rendered = DraftRules.render(all, RULES, Collections.<String>emptyList());
    assertEquals(0, rendered.rules);
    assertEquals(2, rendered.todos);
    assertTrue(rendered.text.contains("rules: []\n"), rendered.text);
    assertTrue(
        rendered.text.contains("  # TODO: no argument, field or getter held"), rendered.text);
    assertTrue(rendered.text.contains("  # TODO: no call of it was seen"), rendered.text);
    assertTrue(
        rendered.text.contains("  #   methods: [sync]\n  #   lock: write\n  #   dataset: TODO\n"),
        rendered.text);
  }

  @Test
  void findingsSurviveTheFindingsFile() {
    Finding f = finding("pid@host", "append", "(I)V", "int", 1, 5, 2, "this.path", "arg0");
    Finding back = Finding.fromLine(f.toLine());
    assertEquals(f.toLine(), back.toLine());
  }
}
