package io.deeplakelock.rules;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A rules file that cannot be used, with every problem found as a {@code file:line:col: message}
 * line that says what to change.
 */
public final class RuleFileException extends Exception {

  private static final long serialVersionUID = 1L;

  private final String[] problems; // an array: serializable, unlike a List-typed field

  public RuleFileException(List<String> problems) {
    super(String.join(System.lineSeparator(), problems));
    this.problems = problems.toArray(new String[0]);
  }

  public static RuleFileException at(SourcePosition where, String message) {
    return new RuleFileException(Collections.singletonList(where + ": " + message));
  }

  /** Each problem as one {@code file:line:col: message} line, in file order. */
  public List<String> problems() {
    return Collections.unmodifiableList(Arrays.asList(problems));
  }
}
