package io.deeplakelock.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Unit tests for {@link DatasetExpression}. */
class DatasetExpressionTest {

  /** Read by {@code static io.deeplakelock.rules.DatasetExpressionTest.DATASET}. */
  static final String DATASET = "/data/from-static";

  /** A receiver with a private field, a getter, a JDK-typed getter and an inherited field. */
  static class Base {
    private final String inherited = "/data/inherited";
  }

  static final class Dataset extends Base {
    private final String path;
    final String name;
    final Location location;

    Dataset(String path, String name, Location location) {
      this.path = path;
      this.name = name;
      this.location = location;
    }

    public String getPath() {
      return path;
    }

    public Path getRoot() {
      return Paths.get(path);
    }

    String secret() {
      return "secret:" + path;
    }

    public String broken() {
      throw new IllegalStateException("boom");
    }

    public void nothing() {}
  }

  static final class Location {
    private final String path;

    Location(String path) {
      this.path = path;
    }
  }

  private static final Object[] NO_ARGS = new Object[0];
  private final Dataset self = new Dataset("/data/self", "ds", new Location("/data/location"));

  // ---- evaluation ---------------------------------------------------------------------------

  @Test
  void afterAcquireCallsAVoidMethodForItsEffect() {
    // config/append-only.yaml's afterAcquire: this.reload(), which returns void.
    Dataset dataset = new Dataset("/data/a", "a", null);
    ValuePath reload = ValuePath.parse("this.nothing()", 0);

    reload.invoke(Dataset.class, dataset, new Object[0]);

    ValuePath.EvaluationException e =
        assertThrows(
            ValuePath.EvaluationException.class,
            () -> reload.evaluate(Dataset.class, dataset, new Object[0]));
    assertTrue(e.getMessage().contains("is null"), "as a dataset value void is null");
  }

  @Test
  void afterAcquireIgnoresANullResultButNotANullReceiver() {
    Dataset dataset = new Dataset("/data/a", "a", null);

    ValuePath.parse("this.location", 0).invoke(Dataset.class, dataset, new Object[0]);
    ValuePath.EvaluationException e =
        assertThrows(
            ValuePath.EvaluationException.class,
            () ->
                ValuePath.parse("this.location.toString()", 0)
                    .invoke(Dataset.class, dataset, new Object[0]));
    assertEquals("'this.location' is null", e.getMessage());
  }

  @Test
  void afterAcquireReportsTheExceptionOfItsMethod() {
    Dataset dataset = new Dataset("/data/a", "a", null);
    ValuePath.EvaluationException e =
        assertThrows(
            ValuePath.EvaluationException.class,
            () ->
                ValuePath.parse("this.broken()", 0).invoke(Dataset.class, dataset, new Object[0]));
    assertTrue(e.getMessage().contains("boom"), e.getMessage());
  }

  @Test
  void argumentIsTheDataset() {
    assertEquals("/data/a", eval("arg0", null, "/data/a"));
    assertEquals("/data/b", eval("arg1", null, "/data/a", "/data/b"));
  }

  @Test
  void nonStringArgumentIsConvertedWithToString() {
    assertEquals("42", eval("arg0", null, 42));
    assertEquals("/tmp/ds", eval("arg0", null, Paths.get("/tmp/ds")));
  }

  @Test
  void nestedPrivateFieldsOfAnArgumentAreRead() {
    assertEquals("/data/location", eval("arg1.location.path", null, "x", self));
  }

  @Test
  void fieldOfThisIsRead() {
    assertEquals("/data/self", eval("this.path", self));
  }

  @Test
  void inheritedPrivateFieldIsRead() {
    assertEquals("/data/inherited", eval("this.inherited", self));
  }

  @Test
  void getterOfThisIsCalled() {
    assertEquals("/data/self", eval("this.getPath()", self));
  }

  @Test
  void nonPublicMethodIsCalled() {
    assertEquals("secret:/data/self", eval("this.secret()", self));
  }

  @Test
  void methodOfJdkTypeIsCalledDespiteModuleEncapsulation() {
    // getRoot() returns a sun.nio.fs.UnixPath (or WindowsPath), whose class is closed to
    // reflection on JDK 17; toString() must be reached through the public Path/Object type.
    assertEquals("/data/self", eval("this.getRoot().toString()", self));
  }

  @Test
  void thisAloneIsConvertedWithToString() {
    Object receiver =
        new Object() {
          @Override
          public String toString() {
            return "/data/to-string";
          }
        };
    assertEquals("/data/to-string", eval("this", receiver));
  }

  @Test
  void staticFieldIsRead() {
    assertEquals(DATASET, eval("static io.deeplakelock.rules.DatasetExpressionTest.DATASET", null));
  }

  @Test
  void constantsAreDatasetPaths() {
    assertEquals("/data/ds", eval("/data/ds", null));
    assertEquals("hub://org/ds", eval("hub://org/ds", null));
    assertEquals("relative/ds", eval("  relative/ds  ", null));
  }

  @Test
  void templateJoinsTextAndExpressions() {
    assertEquals("s3://bucket/7/ds", eval("s3://bucket/${arg0}/${this.name}", self, 7));
    assertEquals("/data/self/ds", eval("${this.getPath()}/${this.name}", self));
    assertEquals(
        "gcs://b/data/from-static",
        eval("gcs://b${static io.deeplakelock.rules.DatasetExpressionTest.DATASET}", null));
  }

  @Test
  void templateToleratesSpacesInsidePlaceholders() {
    assertEquals("s3://bucket/x", eval("s3://bucket/${ arg0 }", null, "x"));
  }

  // ---- evaluation errors --------------------------------------------------------------------

  @Test
  void nullInTheChainNamesTheStepThatWasNull() {
    Dataset noLocation = new Dataset("/p", "n", null);

    assertEquals("'arg0' is null", evalError("arg0.location.path", null, (Object) null));
    assertEquals("'arg0.location' is null", evalError("arg0.location.path", null, noLocation));
    assertEquals(
        "'arg0.location.path' is null",
        evalError("arg0.location.path", null, new Dataset("/p", "n", new Location(null))));
    assertEquals("'this.name' is null", evalError("this.name", new Dataset("/p", null, null)));
  }

  @Test
  void emptyStringIsRefused() {
    assertEquals("'arg0' evaluated to an empty string", evalError("arg0", null, ""));
    assertEquals(
        "'this.name' evaluated to an empty string",
        evalError("s3://b/${this.name}", new Dataset("/p", "", null)));
  }

  @Test
  void argumentIndexOutOfRangeSaysHowManyArgumentsThereAre() {
    assertEquals(
        "'arg2' is out of range: the method takes 1 argument(s)", evalError("arg2", null, "a"));
    assertEquals(
        "'arg0' is out of range: the method takes 0 argument(s)",
        assertThrows(
                ValuePath.EvaluationException.class,
                () -> DatasetExpression.parse("arg0").evaluate(getClass(), null, null))
            .getMessage());
  }

  @Test
  void missingFieldSuggestsTheGetter() {
    // Dataset has no field "root", but it has getRoot().
    assertEquals(
        "no instance field 'root' in " + Dataset.class.getName() + "; did you mean getRoot()?",
        evalError("this.root", self));
  }

  @Test
  void missingFieldWithoutGetterSaysSo() {
    assertEquals(
        "no instance field 'colour' in " + Dataset.class.getName(), evalError("this.colour", self));
  }

  @Test
  void missingMethodIsNamed() {
    assertEquals(
        "no method size() without parameters in " + Dataset.class.getName(),
        evalError("this.size()", self));
  }

  @Test
  void voidMethodGivesNoDataset() {
    assertTrue(evalError("this.nothing()", self).contains("nothing()"));
  }

  @Test
  void failingGetterIsReportedWithItsException() {
    String message = evalError("this.broken()", self);

    assertTrue(message.startsWith("broken() of " + Dataset.class.getName() + " failed"), message);
    assertTrue(message.contains("boom"), message);
  }

  @Test
  void thisInStaticMethodIsRefused() {
    assertEquals("'this' is not available in a static method", evalError("this.path", null, "arg"));
  }

  @Test
  void missingStaticFieldIsNamed() {
    assertEquals(
        "no static field 'NOPE' in io.deeplakelock.rules.DatasetExpressionTest",
        evalError("static io.deeplakelock.rules.DatasetExpressionTest.NOPE", null));
  }

  @Test
  void staticRootClassNotVisibleIsNamed() {
    String message = evalError("static com.example.Missing.FIELD", null);

    assertTrue(message.startsWith("class com.example.Missing is not visible from "), message);
  }

  // ---- parsing ------------------------------------------------------------------------------

  @Test
  void emptyExpressionIsASyntaxError() {
    DatasetExpression.SyntaxException e =
        assertThrows(DatasetExpression.SyntaxException.class, () -> DatasetExpression.parse(" "));

    assertEquals(0, e.offset());
    assertTrue(e.getMessage().contains("the dataset expression is empty"), e.getMessage());
  }

  @Test
  void badStepIsASyntaxErrorAtItsOffset() {
    DatasetExpression.SyntaxException e =
        assertThrows(
            DatasetExpression.SyntaxException.class,
            () -> DatasetExpression.parse("arg0.location.1path"));

    assertEquals(14, e.offset());
    assertTrue(e.getMessage().startsWith("'1path' is not a field or getter"), e.getMessage());
  }

  @Test
  void getterWithArgumentsIsASyntaxError() {
    DatasetExpression.SyntaxException e =
        assertThrows(
            DatasetExpression.SyntaxException.class, () -> DatasetExpression.parse("this.get(1)"));

    assertEquals(5, e.offset());
  }

  @Test
  void templatePlaceholderThatIsNoExpressionIsASyntaxError() {
    DatasetExpression.SyntaxException e =
        assertThrows(
            DatasetExpression.SyntaxException.class,
            () -> DatasetExpression.parse("s3://b/${foo}/x"));

    assertEquals(7, e.offset());
  }

  // ---- facts about an expression ------------------------------------------------------------

  @Test
  void highestArgumentIndexCoversEveryPart() {
    assertEquals(-1, DatasetExpression.parse("this.path").highestArgumentIndex());
    assertEquals(-1, DatasetExpression.parse("/data/ds").highestArgumentIndex());
    assertEquals(0, DatasetExpression.parse("arg0").highestArgumentIndex());
    assertEquals(3, DatasetExpression.parse("s3://${arg3.x}/${arg1}").highestArgumentIndex());
  }

  @Test
  void readsThisOnlyWhenAPartStartsAtThis() {
    assertTrue(DatasetExpression.parse("this.path").readsThis());
    assertTrue(DatasetExpression.parse("this").readsThis());
    assertTrue(DatasetExpression.parse("s3://${arg0}/${this.name}").readsThis());
    assertFalse(DatasetExpression.parse("arg0.path").readsThis());
    assertFalse(DatasetExpression.parse("static com.acme.Config.DATASET").readsThis());
    assertFalse(DatasetExpression.parse("/data/ds").readsThis());
  }

  @Test
  void isConstantOnlyForPlainText() {
    assertTrue(DatasetExpression.parse("/data/ds").isConstant());
    assertTrue(DatasetExpression.parse("hub://org/ds").isConstant());
    // "thisdir" and "args" only look like roots.
    assertTrue(DatasetExpression.parse("thisdir/ds").isConstant());
    assertTrue(DatasetExpression.parse("args").isConstant());
    assertFalse(DatasetExpression.parse("arg0").isConstant());
    assertFalse(DatasetExpression.parse("s3://b/${arg0}").isConstant());
    assertFalse(DatasetExpression.parse("static com.acme.Config.DATASET").isConstant());
  }

  @Test
  void sourceAndPathsDescribeTheExpression() {
    DatasetExpression e = DatasetExpression.parse("s3://b/${arg1.location.path}/${this.getId()}");

    assertEquals("s3://b/${arg1.location.path}/${this.getId()}", e.source());
    assertEquals(2, e.paths().size());
    assertEquals(1, e.paths().get(0).argumentIndex());
    assertEquals(List.of("location", "path"), e.paths().get(0).stepNames());
    assertEquals(List.of("getId()"), e.paths().get(1).stepNames());
  }

  @Test
  void explainUnresolvableChecksStepsWithoutCalling() {
    assertEquals(null, ValuePath.explainUnresolvable(Dataset.class, "broken()"));
    assertEquals(null, ValuePath.explainUnresolvable(Dataset.class, "path"));
    assertEquals(
        "no method size() without parameters in " + Dataset.class.getName(),
        ValuePath.explainUnresolvable(Dataset.class, "size()"));
  }

  @Test
  void sameExpressionWorksForDifferentReceiverClasses() {
    DatasetExpression e = DatasetExpression.parse("arg0.path");
    Location location = new Location("/data/l");

    assertEquals("/data/l", e.evaluate(getClass(), null, new Object[] {location}));
    assertEquals("/data/self", e.evaluate(getClass(), null, new Object[] {self}));
    assertEquals("/data/l", e.evaluate(getClass(), null, new Object[] {location}));
  }

  // ---- helpers ------------------------------------------------------------------------------

  private String eval(String expression, Object receiver, Object... args) {
    return DatasetExpression.parse(expression).evaluate(getClass(), receiver, args);
  }

  private String evalError(String expression, Object receiver, Object... args) {
    DatasetExpression parsed = DatasetExpression.parse(expression);
    return assertThrows(
            ValuePath.EvaluationException.class,
            () -> parsed.evaluate(getClass(), receiver, args == null ? NO_ARGS : args))
        .getMessage();
  }

  @Test
  void methodOfJdkTypeWithCovariantReturnIsCalled() {
    // UnixPath.normalize() returns UnixPath; the public Path interface declares Path.
    assertEquals("/data/self", eval("this.getRoot().normalize().toString()", self));
    assertEquals("self", eval("this.getRoot().getFileName().toString()", self));
  }
}
