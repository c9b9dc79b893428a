package io.deeplakelock.rules;

import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expands {@code ${NAME}} and {@code ${NAME:-default}} from the environment in rules file values.
 *
 * <p>Placeholders that start with a dataset expression root ({@code ${this...}}, {@code
 * ${argN...}}, {@code ${static ...}}) belong to dataset templates and are left alone; {@code $${}
 * stands for a literal {@code ${}.
 */
final class EnvExpander {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$?\\$\\{([^}]*)}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern EXPRESSION_ROOT =
      Pattern.compile("(this|arg\\d+)(\\..*)?|static .*");

  private final Function<String, String> environment;

  EnvExpander(Function<String, String> environment) {
    this.environment = environment;
  }

  /**
   * Returns {@code text} with environment placeholders replaced.
   *
   * @throws IllegalArgumentException naming the variable, at {@link #errorOffset}
   */
  String expand(String text) {
    if (text.indexOf('$') < 0) {
      return text;
    }
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder();
    int last = 0;
    while (m.find()) {
      out.append(text, last, m.start());
      last = m.end();
      String whole = m.group();
      String body = m.group(1).trim();
      if (whole.startsWith("$$")) {
        out.append(whole, 1, whole.length());
        continue;
      }
      if (EXPRESSION_ROOT.matcher(body).matches()) {
        out.append(whole);
        continue;
      }
      int dash = body.indexOf(":-");
      String name = dash < 0 ? body : body.substring(0, dash);
      if (!NAME.matcher(name).matches()) {
        throw new PlaceholderException(
            m.start(),
            "'" + whole + "' is not an environment placeholder; write ${NAME} or ${NAME:-default}");
      }
      String value = environment.apply(name);
      if (value == null || value.isEmpty()) {
        if (dash < 0) {
          throw new PlaceholderException(
              m.start(),
              "environment variable "
                  + name
                  + " is not set; set it, or give a default: ${"
                  + name
                  + ":-value}");
        }
        value = body.substring(dash + 2);
      }
      out.append(value);
    }
    out.append(text, last, text.length());
    return out.toString();
  }

  /** A placeholder that cannot be expanded, with its offset inside the value. */
  static final class PlaceholderException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    final int offset;

    PlaceholderException(int offset, String message) {
      super(message);
      this.offset = offset;
    }
  }
}
