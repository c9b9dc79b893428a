package io.deeplakelock.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.deeplakelock.rules.DatasetExpressionTest.Dataset;
import io.deeplakelock.rules.DatasetExpressionTest.Location;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Unit tests for {@link CallInput}: what a rule's expressions read of a call, and that evaluating
 * them from that one value ({@link DatasetExpression#evaluateFrom}) gives what evaluating them from
 * the whole call gives, failures included.
 */
class CallInputTest {

  /** Read by {@code static io.deeplakelock.rules.CallInputTest.ROOT}. */
  static final String ROOT = "/data/static";

  private final Dataset self = new Dataset("/data/self", "self", null);
  private final Object[] args = {
    "/data/a", new Dataset("/data/b", "b", new Location("/data/b/location")), 42L, null
  };

  @Test
  void eachFormReadsOnlyWhatItNames() {
    assertEquals(CallInput.NONE, input("/data/constant"));
    assertEquals(CallInput.NONE, input("static io.deeplakelock.rules.CallInputTest.ROOT"));
    assertEquals(CallInput.THIS, input("this.getPath()"));
    assertEquals(CallInput.argument(1), input("arg1.path"));
    assertEquals(CallInput.argument(0), input("s3://b/${arg0}/${arg0}"));
    assertEquals(
        CallInput.argument(2), input("${static io.deeplakelock.rules.CallInputTest.ROOT}/${arg2}"));
    assertEquals(CallInput.ALL, input("${arg0}/${arg1.path}"));
    assertEquals(CallInput.ALL, input("${this.path}/${arg0}"));
  }

  @Test
  void aRuleReadsWhatItsDatasetAndAfterAcquireRead() {
    assertEquals(CallInput.THIS, CallInput.NONE.and(CallInput.THIS));
    assertEquals(CallInput.THIS, CallInput.THIS.and(CallInput.NONE));
    assertEquals(CallInput.THIS, CallInput.THIS.and(null));
    assertEquals(CallInput.argument(3), CallInput.argument(3).and(CallInput.argument(3)));
    assertEquals(CallInput.ALL, CallInput.argument(0).and(CallInput.THIS));
    assertEquals(CallInput.ALL, CallInput.argument(0).and(CallInput.argument(1)));
    assertEquals(CallInput.ALL, CallInput.ALL.and(CallInput.NONE));
  }

  @Test
  void evaluatingFromTheOneValueEqualsEvaluatingFromTheCall() {
    List<String> expressions =
        Arrays.asList(
            "/data/constant",
            "static io.deeplakelock.rules.CallInputTest.ROOT",
            "this",
            "this.path",
            "this.getPath()",
            "arg0",
            "arg1.path",
            "arg1.getPath()",
            "arg1.location.path",
            "arg2",
            "s3://bucket/${arg0}/x",
            "${static io.deeplakelock.rules.CallInputTest.ROOT}/${this.path}");
    for (String text : expressions) {
      DatasetExpression expression = DatasetExpression.parse(text);
      assertEquals(
          expression.evaluate(getClass(), self, args),
          expression.evaluateFrom(getClass(), valueFor(expression.input(), self)),
          text);
    }
  }

  @Test
  void failuresReadTheSameFromTheOneValue() {
    Object[] staticCall = {null, new Dataset(null, null, null)};
    for (String text : Arrays.asList("arg0", "arg1.path", "this.path", "arg1.location.path")) {
      DatasetExpression expression = DatasetExpression.parse(text);
      String whole =
          assertThrows(
                  ValuePath.EvaluationException.class,
                  () -> expression.evaluate(getClass(), null, staticCall))
              .getMessage();
      String one =
          assertThrows(
                  ValuePath.EvaluationException.class,
                  () ->
                      expression.evaluateFrom(
                          getClass(), valueFor(expression.input(), null, staticCall)))
              .getMessage();
      assertEquals(whole, one, text);
    }
  }

  @Test
  void emptyAndNonTextValuesReadTheSameFromTheOneValue() {
    DatasetExpression arg0 = DatasetExpression.parse("arg0");
    for (Object value : Arrays.<Object>asList(7, java.nio.file.Paths.get("/data/x"), "/data/y")) {
      assertEquals(
          arg0.evaluate(getClass(), null, new Object[] {value}),
          arg0.evaluateFrom(getClass(), value),
          String.valueOf(value));
    }
    ValuePath.EvaluationException e =
        assertThrows(ValuePath.EvaluationException.class, () -> arg0.evaluateFrom(getClass(), ""));
    assertEquals("'arg0' evaluated to an empty string", e.getMessage());
  }

  @Test
  void afterAcquireRunsFromTheOneValue() {
    ValuePath.parse("this.getPath()", 0).invokeFrom(getClass(), self);
    ValuePath.EvaluationException e =
        assertThrows(
            ValuePath.EvaluationException.class,
            () -> ValuePath.parse("this.getPath()", 0).invokeFrom(getClass(), null));
    assertEquals("'this' is not available in a static method", e.getMessage());
  }

  /** What {@code InputGuardAdvice} passes for {@code input}. */
  private Object valueFor(CallInput input, Object receiver) {
    return valueFor(input, receiver, args);
  }

  private static Object valueFor(CallInput input, Object receiver, Object[] arguments) {
    switch (input.kind()) {
      case THIS:
        return receiver;
      case ARGUMENT:
        return arguments[input.index()];
      default:
        return null;
    }
  }

  private static CallInput input(String expression) {
    return DatasetExpression.parse(expression).input();
  }
}
