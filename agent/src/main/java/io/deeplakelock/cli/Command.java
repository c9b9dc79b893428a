package io.deeplakelock.cli;

import java.io.PrintStream;

/**
 * One command of {@code java -jar deeplake-lock.jar}: its word, its line in the help, the arguments
 * it accepts and what it does. {@link Main} keeps them in a table, so a new command is one class
 * and one entry there.
 */
abstract class Command {

  private final String name;
  private final String synopsis;
  private final String summary;
  private final CommandLine syntax;
  private final String usage;

  /**
   * @param name the word that names the command on the command line, such as {@code check}
   * @param synopsis how the help shows its arguments, such as {@code check --config FILE}
   * @param summary the help's one-line description of the command
   * @param syntax the options and operands it accepts
   * @param usage its own usage text, printed for {@code --help} and after a usage error
   */
  Command(String name, String synopsis, String summary, CommandLine syntax, String usage) {
    this.name = name;
    this.synopsis = synopsis;
    this.summary = summary;
    this.syntax = syntax;
    this.usage = usage;
  }

  final String name() {
    return name;
  }

  final String synopsis() {
    return synopsis;
  }

  final String summary() {
    return summary;
  }

  final CommandLine syntax() {
    return syntax;
  }

  final String usage() {
    return usage;
  }

  /**
   * Runs the command on its parsed arguments.
   *
   * @return the exit status: {@link Main#OK}, {@link Main#PROBLEMS}, {@link Main#INVALID} or {@link
   *     Main#USAGE}
   * @throws CommandLine.UsageException when an argument turns out to be wrong after parsing; {@link
   *     Main} prints the message and the usage, and exits with {@link Main#USAGE}
   */
  abstract int run(CommandLine.Arguments args, PrintStream out, PrintStream err)
      throws CommandLine.UsageException;
}
