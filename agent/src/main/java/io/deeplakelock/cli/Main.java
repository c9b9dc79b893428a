package io.deeplakelock.cli;

import io.deeplakelock.agent.Version;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/** {@code java -jar deeplake-lock.jar}: the operator's commands. */
public final class Main {

  static final int OK = 0;
  static final int PROBLEMS = 1;

  /** The rules file is invalid or missing ({@code file:line:col} lines on stderr). */
  static final int INVALID = 2;

  /** The command line is wrong: an unknown command or option, a missing or bad argument. */
  static final int USAGE = 64; // sysexits.h EX_USAGE

  /** The commands, in the order the help lists them. */
  private static final List<Command> COMMANDS =
      Collections.unmodifiableList(
          Arrays.<Command>asList(
              new CheckCommand(),
              new AttachCommand(),
              new DetachCommand(),
              new ReloadCommand(),
              new StatusCommand(),
              new DiscoverCommand(),
              new LocksCommand()));

  private static final String HELP = help();

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      err.print(HELP);
      return USAGE;
    }
    switch (args[0]) {
      case "--help":
      case "-h":
      case "help":
        out.print(HELP);
        return OK;
      case "--version":
        out.println("deeplake-lock " + Version.get());
        return OK;
      default:
        break;
    }
    for (Command command : COMMANDS) {
      if (command.name().equals(args[0])) {
        return run(command, Arrays.asList(args).subList(1, args.length), out, err);
      }
    }
    err.println("deeplake-lock: unknown command '" + args[0] + "'");
    err.print(HELP);
    return USAGE;
  }

  private static int run(Command command, List<String> words, PrintStream out, PrintStream err) {
    try {
      return command.run(command.syntax().parse(words), out, err);
    } catch (CommandLine.HelpRequested e) {
      out.print(command.usage());
      return OK;
    } catch (CommandLine.UsageException e) {
      if (e.getMessage() != null) {
        err.println("deeplake-lock " + command.name() + ": " + e.getMessage());
      }
      err.print(command.usage());
      return USAGE;
    }
  }

  private static String help() {
    StringBuilder help =
        new StringBuilder()
            .append("usage: java -jar deeplake-lock.jar <command> [options]\n")
            .append("\n")
            .append(
                "As an agent:  java -javaagent:deeplake-lock.jar=rules.yaml -jar your-service.jar\n")
            .append("\n")
            .append("Commands:\n");
    for (Command command : COMMANDS) {
      helpLine(help, command.synopsis(), command.summary());
    }
    helpLine(help, "--version", "print the version");
    helpLine(help, "--help", "print this help; each command has --help too");
    return help.append("\n")
        .append(
            "Exit status: 0 success, 1 problems found (see each command), 2 the rules file is\n")
        .append("invalid or missing, 64 a usage error (unknown command or option, bad argument).\n")
        .toString();
  }

  /** A synopsis with its summary in the column after it, or on the next line if it is long. */
  private static void helpLine(StringBuilder help, String synopsis, String summary) {
    int column = 24;
    help.append("  ").append(synopsis);
    if (synopsis.length() + 2 > column - 2) {
      help.append('\n').append(spaces(column));
    } else {
      help.append(spaces(column - 2 - synopsis.length()));
    }
    help.append(summary).append('\n');
  }

  private static String spaces(int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n; i++) {
      s.append(' ');
    }
    return s.toString();
  }
}
