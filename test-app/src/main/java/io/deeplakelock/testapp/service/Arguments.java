package io.deeplakelock.testapp.service;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Command-line options of the form {@code --name value...}: each option takes the words up to the
 * next {@code --name}. An option the command does not know stops it, so a typo cannot go unnoticed.
 */
public final class Arguments {
  private final Map<String, List<String>> options;

  private Arguments(Map<String, List<String>> options) {
    this.options = options;
  }

  /**
   * Parses {@code args}, accepting only the given option names (without the dashes).
   *
   * @throws IllegalArgumentException on a stray word or an unknown option
   */
  public static Arguments parse(List<String> args, String... known) {
    List<String> allowed = Arrays.asList(known);
    Map<String, List<String>> options = new LinkedHashMap<>();
    List<String> current = null;
    for (String arg : args) {
      if (arg.startsWith("--")) {
        String name = arg.substring(2);
        if (!allowed.contains(name)) {
          throw new IllegalArgumentException(
              "unknown option " + arg + " (known: --" + String.join(", --", allowed) + ")");
        }
        if (options.containsKey(name)) {
          throw new IllegalArgumentException("option " + arg + " given twice");
        }
        current = new ArrayList<>();
        options.put(name, current);
      } else if (current == null) {
        throw new IllegalArgumentException("expected an option, got " + arg);
      } else {
        current.add(arg);
      }
    }
    return new Arguments(options);
  }

  /** Whether the option was given, with or without values. */
  public boolean has(String name) {
    return options.containsKey(name);
  }

  /** Whether a flag (an option that takes no value) was given. */
  public boolean flag(String name) {
    List<String> values = options.get(name);
    if (values != null && !values.isEmpty()) {
      throw new IllegalArgumentException("--" + name + " takes no value");
    }
    return values != null;
  }

  /** The single value of a required option. */
  public String required(String name) {
    String value = optional(name, null);
    if (value == null) {
      throw new IllegalArgumentException("missing --" + name);
    }
    return value;
  }

  /** The single value of an option, or {@code fallback} when it is absent. */
  public String optional(String name, String fallback) {
    List<String> values = options.get(name);
    if (values == null) {
      return fallback;
    }
    if (values.size() != 1) {
      throw new IllegalArgumentException("--" + name + " takes exactly one value");
    }
    return values.get(0);
  }

  /** A positive integer option, or {@code fallback} when it is absent. */
  public int positiveInt(String name, int fallback) {
    String value = optional(name, null);
    if (value == null) {
      return fallback;
    }
    try {
      int number = Integer.parseInt(value);
      if (number > 0) {
        return number;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("--" + name + " needs a positive integer, got " + value);
  }

  /** All values of an option, empty when it is absent. */
  public List<String> all(String name) {
    List<String> values = options.get(name);
    return values == null ? Collections.<String>emptyList() : values;
  }
}
