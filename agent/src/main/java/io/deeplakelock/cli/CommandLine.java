package io.deeplakelock.cli;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The arguments one command accepts, and the parser that reads them: options that take a value
 * ({@code --config FILE}), bare operands of one kind (a pid, a lock path), and {@code --help}. A
 * repeated option or operand replaces the earlier one.
 */
final class CommandLine {

  /** What a bare word must be to be an operand. */
  enum Operand {
    NONE,
    /** A process id: digits only; at most one. */
    PID,
    /** A ZooKeeper path: starts with {@code /}; the last one counts. */
    PATH
  }

  private final Set<String> valueOptions;
  private final Operand operand;
  private final boolean operandOnly;

  private CommandLine(Set<String> valueOptions, Operand operand, boolean operandOnly) {
    this.valueOptions = valueOptions;
    this.operand = operand;
    this.operandOnly = operandOnly;
  }

  /**
   * A command that takes these options, each with a value, and the given operand. A word that is
   * neither is reported as an unexpected argument.
   */
  static CommandLine options(Operand operand, String... valueOptions) {
    return new CommandLine(new HashSet<String>(Arrays.asList(valueOptions)), operand, false);
  }

  /**
   * A command that takes exactly one pid and nothing else; {@code --help} only on its own. Any
   * other command line is answered with the usage alone.
   */
  static CommandLine pidOnly() {
    return new CommandLine(Collections.<String>emptySet(), Operand.PID, true);
  }

  /**
   * Parses the words after the command's name.
   *
   * @throws HelpRequested for {@code --help}
   * @throws UsageException for a word the command does not accept
   */
  Arguments parse(List<String> words) throws HelpRequested, UsageException {
    Arguments parsed = new Arguments();
    if (operandOnly) {
      if (words.size() == 1 && words.get(0).equals("--help")) {
        throw new HelpRequested();
      }
      if (words.size() != 1 || !accepts(words.get(0), parsed)) {
        throw new UsageException(null);
      }
      parsed.operand = words.get(0);
      return parsed;
    }
    for (int i = 0; i < words.size(); i++) {
      String word = words.get(i);
      if (word.equals("--help")) {
        throw new HelpRequested();
      } else if (valueOptions.contains(word) && i + 1 < words.size()) {
        parsed.values.put(word, words.get(++i));
      } else if (accepts(word, parsed)) {
        parsed.operand = word;
      } else {
        throw new UsageException("unexpected argument '" + word + "'");
      }
    }
    return parsed;
  }

  private boolean accepts(String word, Arguments parsed) {
    switch (operand) {
      case PID:
        return parsed.operand == null && word.matches("\\d+");
      case PATH:
        return word.startsWith("/");
      default:
        return false;
    }
  }

  /** A command line as parsed: option values and the operand. */
  static final class Arguments {
    private final Map<String, String> values = new HashMap<>();
    private String operand;

    /** The value of {@code option}, or null when it was not given. */
    String value(String option) {
      return values.get(option);
    }

    /**
     * The value of {@code option}.
     *
     * @throws UsageException (with the usage alone) when it was not given
     */
    String required(String option) throws UsageException {
      String value = values.get(option);
      if (value == null) {
        throw new UsageException(null);
      }
      return value;
    }

    /** The operand, or null when none was given. */
    String operand() {
      return operand;
    }

    /**
     * The operand.
     *
     * @throws UsageException (with the usage alone) when none was given
     */
    String requiredOperand() throws UsageException {
      if (operand == null) {
        throw new UsageException(null);
      }
      return operand;
    }
  }

  /** The command line asks for the command's usage. */
  static final class HelpRequested extends Exception {
    private static final long serialVersionUID = 1L;

    HelpRequested() {
      super(null, null, false, false);
    }
  }

  /** A usage error: exit 64, after the message (if any) and the command's usage on stderr. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, or null to print the usage alone
     */
    UsageException(String message) {
      super(message, null, false, false);
    }
  }
}
