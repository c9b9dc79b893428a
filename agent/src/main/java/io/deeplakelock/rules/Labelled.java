package io.deeplakelock.rules;

import java.util.Locale;

/**
 * An enum of the rules file whose constants are written as their names in lower case with dashes:
 * {@code RUN_UNLOCKED} is {@code run-unlocked}. The reader matches what a file says against these
 * labels, never against the constants' order; renaming a constant renames its spelling.
 */
public interface Labelled {

  /** The constant's name, as {@link Enum#name()} gives it. */
  String name();

  /** The spelling in the rules file and in messages, e.g. {@code run-unlocked}. */
  default String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The constant of {@code type} that a rules file spells {@code label}, or null. */
  static <E extends Enum<E> & Labelled> E fromLabel(Class<E> type, String label) {
    for (E constant : type.getEnumConstants()) {
      if (constant.label().equals(label)) {
        return constant;
      }
    }
    return null;
  }
}
