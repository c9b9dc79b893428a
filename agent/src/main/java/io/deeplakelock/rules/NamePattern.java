package io.deeplakelock.rules;

import java.util.regex.Pattern;

/**
 * A class or method name as a rule writes it: exact, or a glob. {@code *} matches any run of
 * characters but a dot; {@code ..} in a class pattern matches any number of package levels, so
 * {@code com.acme..*} is every class in {@code com.acme} and its sub-packages.
 */
public final class NamePattern {

  private final String text;
  private final Pattern regex; // null: exact

  private NamePattern(String text, Pattern regex) {
    this.text = text;
    this.regex = regex;
  }

  /** Parses a pattern; anything without {@code *} or {@code ..} is an exact name. */
  public static NamePattern of(String text) {
    if (text.indexOf('*') < 0 && !text.contains("..")) {
      return new NamePattern(text, null);
    }
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '.' && text.startsWith("..", i)) {
        regex.append("(?:\\.[^.]+)*\\.");
        i++;
      } else if (c == '*') {
        regex.append("[^.]*");
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return new NamePattern(text, Pattern.compile(regex.toString()));
  }

  /** True when the pattern names exactly one class or method. */
  public boolean isExact() {
    return regex == null;
  }

  /** Matches a binary class name; a nested class may be written {@code Outer.Inner}. */
  public boolean matches(String name) {
    if (regex == null) {
      return text.equals(name) || (name.indexOf('$') >= 0 && text.equals(name.replace('$', '.')));
    }
    return regex.matcher(name).matches();
  }

  @Override
  public String toString() {
    return text;
  }
}
