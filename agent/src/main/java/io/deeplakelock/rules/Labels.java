package io.deeplakelock.rules;

import java.util.Locale;
import java.util.function.Function;

/**
 * The spellings of enum constants in a rules file: the constant's name in lower case with dashes
 * ({@code RUN_UNLOCKED} is {@code run-unlocked}), looked up by spelling, never by position.
 */
final class Labels {

  private Labels() {}

  /** How {@code constant} is written in a rules file and shown in messages. */
  static String of(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The one of {@code values} whose label is {@code text}, or null when none is. */
  static <E> E find(E[] values, Function<E, String> label, String text) {
    for (E value : values) {
      if (label.apply(value).equals(text)) {
        return value;
      }
    }
    return null;
  }
}
