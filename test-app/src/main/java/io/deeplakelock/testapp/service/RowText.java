package io.deeplakelock.testapp.service;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The texts writers give their rows: {@code W-i} for writer {@code W}'s {@code i}-th append, and
 * {@code W-i:u} once updated. Unique across writers, so a checker can tell lost rows from
 * duplicated ones by text alone.
 */
public final class RowText {
  /** What a writer id may look like; it must not contain the separator {@code -}. */
  static final Pattern WRITER_ID = Pattern.compile("[A-Za-z0-9_.]+");

  private static final Pattern FORM = Pattern.compile("([A-Za-z0-9_.]+)-(\\d+)(:u)?");
  private static final String UPDATED = ":u";

  private RowText() {}

  /** The text of a freshly appended row, which is also the row's key in writer reports. */
  public static String appended(String writer, int seq) {
    return writer + "-" + seq;
  }

  /** The text of the same row after its update. */
  public static String updated(String writer, int seq) {
    return appended(writer, seq) + UPDATED;
  }

  /** The text the row with this key has after its update. */
  public static String updatedKey(String key) {
    return key + UPDATED;
  }

  /** Whether a text read back from a dataset is one a writer could have written. */
  public static boolean isWellFormed(String text) {
    Matcher matcher = FORM.matcher(text);
    return matcher.matches();
  }
}
