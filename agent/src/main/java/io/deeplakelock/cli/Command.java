package io.deeplakelock.cli;

import java.io.PrintStream;

/**
 * One command of {@code java -jar deeplake-lock.jar}: its word, its line in the help, the arguments
 * it accepts and what it does. {@link Main} keeps them in a table, so a new command is one class
 * and one entry there.
 */
interface Command {

  /** The word that names the command on the command line, such as {@code check}. */
  String name();

  /** How the help shows the command's arguments, such as {@code check --config FILE}. */
  String synopsis();

  /** The help's one-line description of the command. */
  String summary();

  /** The command's own usage text, printed for {@code --help} and after a usage error. */
  String usage();

  /** The options and operands the command accepts. */
  CommandLine syntax();

  /**
   * Runs the command on its parsed arguments.
   *
   * @return the exit status: {@link Main#OK}, {@link Main#PROBLEMS}, {@link Main#INVALID} or {@link
   *     Main#USAGE}
   * @throws CommandLine.UsageException when an argument turns out to be wrong after parsing; {@link
   *     Main} prints the message and the usage, and exits with {@link Main#USAGE}
   */
  int run(CommandLine.Arguments args, PrintStream out, PrintStream err)
      throws CommandLine.UsageException;
}
