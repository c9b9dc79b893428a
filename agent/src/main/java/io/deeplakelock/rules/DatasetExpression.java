package io.deeplakelock.rules;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a guarded call's dataset path comes from: a rule's {@code dataset} value, parsed once.
 *
 * <p>Three forms:
 *
 * <ul>
 *   <li>an expression: {@code argN}, {@code this}, or {@code static com.acme.Config.FIELD},
 *       followed by any chain of {@code .field} and {@code .getter()} steps, e.g. {@code
 *       arg0.location.path} or {@code this.getRoot().toString()};
 *   <li>a template that embeds expressions in text: {@code s3://bucket/${arg0}};
 *   <li>anything else is a constant dataset path, e.g. {@code /data/shared} or {@code
 *       hub://org/ds}.
 * </ul>
 *
 * Accessors are resolved once per receiver class and cached; see {@link ValuePath}.
 */
public final class DatasetExpression {

  private static final Pattern EXPRESSION_START =
      Pattern.compile("(this|arg\\d+)(\\..*)?|static .*");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");

  private final String source;
  private final List<Object> parts; // String literals and ValuePath expressions, in order

  /**
   * The expression is a bare {@code argN} or {@code this}: the value a call passes is its dataset
   * when it is a non-empty string. The common rule, {@code dataset: arg0}, then costs a type check
   * per call instead of a walk through the parts list and the path, a chain of dependent loads that
   * every guarded call waited on ({@code GuardedCallBenchmark}).
   */
  private final boolean inputIsDataset;

  private DatasetExpression(String source, List<Object> parts) {
    this.source = source;
    this.parts = Collections.unmodifiableList(parts);
    this.inputIsDataset =
        parts.size() == 1
            && parts.get(0) instanceof ValuePath
            && ((ValuePath) parts.get(0)).isBareRoot();
  }

  /**
   * Parses a rule's {@code dataset} value.
   *
   * @throws SyntaxException with the offset of the problem inside {@code text}
   */
  public static DatasetExpression parse(String text) {
    String trimmed = text.trim();
    if (trimmed.isEmpty()) {
      throw new SyntaxException(0, "the dataset expression is empty; write e.g. arg0 or this.path");
    }
    List<Object> parts = new ArrayList<>();
    if (trimmed.contains("${")) {
      Matcher m = PLACEHOLDER.matcher(trimmed);
      int last = 0;
      while (m.find()) {
        if (m.start() > last) {
          parts.add(trimmed.substring(last, m.start()));
        }
        String inner = m.group(1).trim();
        if (!EXPRESSION_START.matcher(inner).matches()) {
          throw new SyntaxException(
              m.start(),
              "'${"
                  + m.group(1)
                  + "}' in a dataset template must be an expression starting with this, argN or"
                  + " static");
        }
        parts.add(ValuePath.parse(inner, m.start(1)));
        last = m.end();
      }
      if (trimmed.indexOf("${", last) >= 0) {
        throw new SyntaxException(trimmed.indexOf("${", last), "unclosed '${' in dataset template");
      }
      if (last < trimmed.length()) {
        parts.add(trimmed.substring(last));
      }
    } else if (EXPRESSION_START.matcher(trimmed).matches()) {
      parts.add(ValuePath.parse(trimmed, 0));
    } else {
      parts.add(trimmed);
    }
    return new DatasetExpression(trimmed, parts);
  }

  /** The expression as written in the rules file. */
  public String source() {
    return source;
  }

  /** True when the value does not depend on the call (a constant dataset path). */
  public boolean isConstant() {
    return parts.size() == 1 && parts.get(0) instanceof String;
  }

  /** The highest {@code argN} index used, or -1 when no argument is read. */
  public int highestArgumentIndex() {
    int max = -1;
    for (ValuePath path : paths()) {
      max = Math.max(max, path.argumentIndex());
    }
    return max;
  }

  /** True when any part reads {@code this}, which a static method does not have. */
  public boolean readsThis() {
    for (ValuePath path : paths()) {
      if (path.readsThis()) {
        return true;
      }
    }
    return false;
  }

  /** The expressions inside, for tools that check them against classes. */
  public List<ValuePath> paths() {
    List<ValuePath> out = new ArrayList<>();
    for (Object part : parts) {
      if (part instanceof ValuePath) {
        out.add((ValuePath) part);
      }
    }
    return out;
  }

  /** What a call must pass to evaluate this: nothing, the one value every part reads, or all. */
  public CallInput input() {
    CallInput input = CallInput.NONE;
    for (Object part : parts) {
      if (part instanceof ValuePath) {
        input = input.and(((ValuePath) part).input());
      }
    }
    return input;
  }

  /**
   * Evaluates the expression for one call.
   *
   * @param origin the class whose method is guarded (its loader resolves {@code static} roots)
   * @return the dataset path as a string, never null or empty
   * @throws ValuePath.EvaluationException when a step is null, missing or fails
   */
  public String evaluate(Class<?> origin, Object self, Object[] args) {
    if (parts.size() == 1) {
      return text(parts.get(0), origin, self, args);
    }
    StringBuilder out = new StringBuilder();
    for (Object part : parts) {
      out.append(text(part, origin, self, args));
    }
    return out.toString();
  }

  /**
   * As {@link #evaluate}, from the one value {@link #input()} names (the receiver or an argument);
   * only for an expression whose input is not {@link CallInput.Kind#ALL}.
   */
  public String evaluateFrom(Class<?> origin, Object input) {
    if (inputIsDataset && input instanceof String && !((String) input).isEmpty()) {
      return (String) input; // what the walk below returns for it, without the walk
    }
    if (parts.size() == 1) {
      return textFrom(parts.get(0), origin, input);
    }
    StringBuilder out = new StringBuilder();
    for (Object part : parts) {
      out.append(textFrom(part, origin, input));
    }
    return out.toString();
  }

  private static String text(Object part, Class<?> origin, Object self, Object[] args) {
    if (part instanceof String) {
      return (String) part;
    }
    ValuePath path = (ValuePath) part;
    return nonEmpty(path, path.evaluate(origin, self, args));
  }

  private static String textFrom(Object part, Class<?> origin, Object input) {
    if (part instanceof String) {
      return (String) part;
    }
    ValuePath path = (ValuePath) part;
    return nonEmpty(path, path.evaluateFrom(origin, input));
  }

  private static String nonEmpty(ValuePath path, Object value) {
    String text = String.valueOf(value);
    if (text.isEmpty()) {
      throw new ValuePath.EvaluationException(
          "'" + path.source() + "' evaluated to an empty string");
    }
    return text;
  }

  /** Expressions written alike are equal: parsing is deterministic, so the text decides. */
  @Override
  public boolean equals(Object other) {
    return other instanceof DatasetExpression && source.equals(((DatasetExpression) other).source);
  }

  @Override
  public int hashCode() {
    return source.hashCode();
  }

  @Override
  public String toString() {
    return source;
  }

  /** A dataset expression that does not parse, with the offset of the problem. */
  public static final class SyntaxException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final int offset;

    SyntaxException(int offset, String message) {
      super(message);
      this.offset = offset;
    }

    /** Offset inside the expression text where the problem starts. */
    public int offset() {
      return offset;
    }
  }
}
