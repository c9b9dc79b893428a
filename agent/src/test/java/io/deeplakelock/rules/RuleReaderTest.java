package io.deeplakelock.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Unit tests for {@link RuleReader}, through whole rules files: the keys of one rule. */
class RuleReaderTest extends RuleFileFixture {

  // ---- missing keys --------------------------------------------------------------------

  @Test
  void ruleWithoutNameIsReportedAtTheRule() {
    assertSingleProblem(
        MINIMAL.replace("  - name: writes\n    class:", "  - class:"),
        "4:5",
        "the rule has no 'name'");
  }

  @Test
  void ruleWithoutClassIsReportedAtTheRule() {
    assertSingleProblem(
        MINIMAL.replace("    class: com.example.Dataset\n", ""),
        "4:5",
        "the rule selects no classes");
  }

  @Test
  void ruleWithoutMethodsIsReportedAtTheRule() {
    assertSingleProblem(
        MINIMAL.replace("    methods: [append, update]\n", ""), "4:5", "the rule has no 'methods'");
  }

  @Test
  void ruleWithEmptyMethodsIsReported() {
    assertSingleProblem(MINIMAL.replace("[append, update]", "[]"), "6:14", "'methods' is empty");
  }

  @Test
  void ruleWithoutLockIsReportedAtTheRule() {
    assertSingleProblem(MINIMAL.replace("    lock: write\n", ""), "4:5", "the rule has no 'lock'");
  }

  @Test
  void ruleWithoutDatasetOrLockPathIsReportedAtTheRule() {
    assertSingleProblem(
        MINIMAL.replace("    dataset: this.path\n", ""), "4:5", "the rule has no 'dataset'");
  }

  @Test
  void duplicateRuleNameNamesTheFirstRule() {
    String second =
        """
          - name: writes
            class: com.example.Other
            methods: [write]
            lock: write
            dataset: arg0
        """;
    assertSingleProblem(
        MINIMAL + second, "9:11", "rule name 'writes' is used twice (first at rules.yaml:4:11)");
  }

  // ---- class selection -----------------------------------------------------------------

  @Test
  void classGlobAndSubtypesAreAccepted() throws RuleFileException {
    String second =
        """
          - name: stores
            subtypesOf: com.example.Store
            methods: [put*]
            lock: write
            dataset: arg0
            afterAcquire: this.reload()
        """;
    AgentConfig config =
        parse(MINIMAL.replace("com.example.Dataset", "com.example..*Dataset") + second);

    Rule glob = config.rules().get(0);
    assertFalse(glob.classPattern().isExact());
    assertTrue(glob.classPattern().matches("com.example.sub.PartDataset"));
    Rule stores = config.rules().get(1);
    assertNull(stores.classPattern());
    assertEquals("com.example.Store", stores.subtypesOf());
    assertEquals("this.reload()", stores.afterAcquire().source());
  }

  @Test
  void classThatIsNotAClassNameIsRejected() {
    assertSingleProblem(
        MINIMAL.replace("com.example.Dataset", "com/example/Dataset"),
        "5:12",
        "'com/example/Dataset' is not a class name");
  }

  @Test
  void classAndSubtypesOfTogetherAreRejected() {
    assertSingleProblem(
        MINIMAL + "    subtypesOf: com.example.Store\n",
        "9:17",
        "give either class or subtypesOf, not both");
  }

  // ---- method selectors, locks and lock paths ------------------------------------------

  @Test
  void emptyParameterTypePointsIntoTheSelector() {
    // '[' at column 14, the quote at 15, the text at 16; the missing type is at offset 24.
    assertSingleProblem(
        MINIMAL.replace("[append, update]", "[\"append(java.lang.String,)\"]"),
        "6:40",
        "'' is not a parameter type");
  }

  @Test
  void methodNameStartingWithDigitIsRejected() {
    assertSingleProblem(
        MINIMAL.replace("[append, update]", "[append, 1append]"),
        "6:23",
        "'1append' is not a method");
  }

  @Test
  void unknownLockModeIsRejected() {
    assertSingleProblem(
        MINIMAL.replace("lock: write", "lock: exclusive"),
        "7:11",
        "'exclusive' is not allowed here; write one of: read, write");
  }

  @Test
  void relativeLockPathIsRejected() {
    assertSingleProblem(
        MINIMAL + "    lockPath: deeplake\n",
        "9:15",
        "'deeplake' must be an absolute znode path starting with '/'");
  }

  @Test
  void lockPathWithEmptySegmentIsRejected() {
    assertSingleProblem(
        MINIMAL + "    lockPath: /a//b\n", "9:15", "'/a//b' has an empty, '.' or '..' segment");
  }

  // ---- dataset expressions and afterAcquire --------------------------------------------

  @Test
  void emptyStepInDatasetExpressionPointsAtTheStep() {
    // "    dataset: " is 13 characters: the value starts at column 14, the empty step at +5.
    assertSingleProblem(
        MINIMAL.replace("this.path", "this..path"),
        "8:19",
        "'' is not a field or getter; write a name (a field) or name() (a no-argument method)");
  }

  @Test
  void badStepInsideQuotedTemplatePointsAtTheStep() {
    // The quote is at column 14, the text starts at 15, "${" at 15 and the empty step at +7.
    assertSingleProblem(
        MINIMAL.replace("this.path", "\"${this..x}\""), "8:22", "'' is not a field or getter");
  }

  @Test
  void unsetEnvironmentVariableInDatasetTemplateIsReportedAtThePlaceholder() {
    // ${foo} is not an expression (this, argN, static), so it is an environment placeholder.
    assertSingleProblem(
        MINIMAL.replace("this.path", "\"s3://b/${foo}\""),
        "8:22",
        "environment variable foo is not set; set it, or give a default: ${foo:-value}");
  }

  @Test
  void escapedPlaceholderInDatasetTemplateMustBeAnExpression() {
    // $${foo} is a literal ${foo} for the template, which is not an expression.
    assertSingleProblem(
        MINIMAL.replace("this.path", "\"s3://b/$${foo}\""),
        "8:22",
        "'${foo}' in a dataset template must be an expression starting with this, argN or"
            + " static");
  }

  @Test
  void unclosedTemplatePlaceholderIsRejected() {
    assertSingleProblem(
        MINIMAL.replace("this.path", "\"s3://b/${arg0\""),
        "8:22",
        "unclosed '${' in dataset template");
  }

  @Test
  void staticRootWithoutClassIsRejected() {
    assertSingleProblem(
        MINIMAL.replace("this.path", "static DATASET"),
        "8:14",
        "must name a static field as static com.example.Config.FIELD");
  }

  @Test
  void hugeArgumentIndexIsRejected() {
    assertSingleProblem(
        MINIMAL.replace("this.path", "arg99999999999"), "8:14", "'arg99999999999' is too large");
  }

  @Test
  void afterAcquireMustCallAMethodOfTheReceiver() {
    assertSingleProblem(
        MINIMAL + "    afterAcquire: this.path\n",
        "9:19",
        "afterAcquire must call a no-argument method on the receiver");
  }
}
