package io.deeplakelock.rules;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the rules file's durations: a whole number and a unit, as in {@code 500ms}, {@code 30s}.
 */
final class Durations {

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

  private Durations() {}

  /**
   * Returns the duration in milliseconds.
   *
   * @throws IllegalArgumentException with a message that shows the accepted form
   */
  static long parseMillis(String text) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration; write a whole number with a unit: 500ms, 30s, 2m, 1h");
    }
    long amount = Long.parseLong(m.group(1));
    switch (m.group(2)) {
      case "ms":
        return amount;
      case "s":
        return amount * 1000L;
      case "m":
        return amount * 60_000L;
      default:
        return amount * 3_600_000L;
    }
  }

  /** Formats milliseconds the way a user would write them. */
  static String format(long millis) {
    if (millis % 3_600_000L == 0 && millis > 0) {
      return millis / 3_600_000L + "h";
    }
    if (millis % 60_000L == 0 && millis > 0) {
      return millis / 60_000L + "m";
    }
    if (millis % 1000L == 0 && millis > 0) {
      return millis / 1000L + "s";
    }
    return millis + "ms";
  }
}
