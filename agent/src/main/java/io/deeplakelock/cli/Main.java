package io.deeplakelock.cli;

import io.deeplakelock.agent.Version;
import java.io.PrintStream;

/** {@code java -jar deeplake-lock.jar}: the operator's commands. */
public final class Main {

  static final int OK = 0;
  static final int PROBLEMS = 1;

  /** The rules file is invalid or missing ({@code file:line:col} lines on stderr). */
  static final int INVALID = 2;

  /** The command line is wrong: an unknown command or option, a missing or bad argument. */
  static final int USAGE = 64; // sysexits.h EX_USAGE

  private static final String HELP =
      "usage: java -jar deeplake-lock.jar <command> [options]\n"
          + "\n"
          + "As an agent:  java -javaagent:deeplake-lock.jar=rules.yaml -jar your-service.jar\n"
          + "\n"
          + "Commands:\n"
          + "  check --config FILE [--classpath CP]\n"
          + "                        validate a rules file; list what each rule guards\n"
          + "  attach <pid> --config FILE\n"
          + "                        load the agent into a running JVM\n"
          + "  detach <pid>          remove the agent from a running JVM\n"
          + "  reload <pid>          re-read the rules file of a running agent\n"
          + "  status <pid>          rules, connection and per-lock figures of a running agent\n"
          + "  discover <pid>        write the draft rules of an agent in mode: discover now\n"
          + "  locks --zk CONNECT [PATH]\n"
          + "                        list lock holders and waiters under PATH (/deeplake)\n"
          + "  --version             print the version\n"
          + "  --help                print this help; each command has --help too\n"
          + "\n"
          + "Exit status: 0 success, 1 problems found (see each command), 2 the rules file is\n"
          + "invalid or missing, 64 a usage error (unknown command or option, bad argument).\n";

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
      case "check":
        return CheckCommand.run(args, out, err);
      case "locks":
        return LocksCommand.run(args, out, err);
      case "status":
        return StatusCommand.run(args, out, err);
      case "attach":
        return AttachCommand.attach(args, out, err);
      case "detach":
        return AttachCommand.detach(args, out, err);
      case "reload":
        return AttachCommand.reload(args, out, err);
      case "discover":
        return AttachCommand.discover(args, out, err);
      default:
        err.println("deeplake-lock: unknown command '" + args[0] + "'");
        err.print(HELP);
        return USAGE;
    }
  }
}
