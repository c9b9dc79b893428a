package io.deeplakelock.rules;

import java.util.Comparator;

/** One thing wrong with a rules file, where it is; printed as {@code file:line:col: message}. */
final class Problem {

  /** By line, then column; a sort that is stable keeps problems at one place in finding order. */
  static final Comparator<Problem> IN_FILE_ORDER =
      Comparator.comparingInt((Problem p) -> p.position.line())
          .thenComparingInt(p -> p.position.column());

  private final SourcePosition position;
  private final String message;

  Problem(SourcePosition position, String message) {
    this.position = position;
    this.message = message;
  }

  @Override
  public String toString() {
    return position + ": " + message;
  }
}
