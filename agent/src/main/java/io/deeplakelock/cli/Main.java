package io.deeplakelock.cli;

import io.deeplakelock.agent.Version;
import io.deeplakelock.rules.AgentConfig;
import io.deeplakelock.rules.Rule;
import io.deeplakelock.rules.RuleFile;
import io.deeplakelock.rules.RuleFileException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** {@code java -jar deeplake-lock.jar}: the operator's commands. */
public final class Main {

  static final int OK = 0;
  static final int PROBLEMS = 1;
  static final int USAGE_OR_INVALID = 2;

  private static final String USAGE =
      "usage: java -jar deeplake-lock.jar <command> [options]\n"
          + "\n"
          + "As an agent:  java -javaagent:deeplake-lock.jar=rules.yaml -jar your-service.jar\n"
          + "\n"
          + "Commands:\n"
          + "  check --config FILE   validate a rules file and list its rules\n"
          + "  --version             print the version\n"
          + "  --help                print this help; each command has --help too\n";

  private static final String CHECK_USAGE =
      "usage: java -jar deeplake-lock.jar check --config FILE\n"
          + "\n"
          + "Validates the rules file without starting anything and lists each rule.\n"
          + "Exit status: 0 valid, 2 invalid (errors as FILE:LINE:COL: message).\n";

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      err.print(USAGE);
      return USAGE_OR_INVALID;
    }
    switch (args[0]) {
      case "--help":
      case "-h":
      case "help":
        out.print(USAGE);
        return OK;
      case "--version":
        out.println("deeplake-lock " + Version.get());
        return OK;
      case "check":
        return check(args, out, err);
      default:
        err.println("deeplake-lock: unknown command '" + args[0] + "'");
        err.print(USAGE);
        return USAGE_OR_INVALID;
    }
  }

  private static int check(String[] args, PrintStream out, PrintStream err) {
    String config = null;
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--help")) {
        out.print(CHECK_USAGE);
        return OK;
      } else if (args[i].equals("--config") && i + 1 < args.length) {
        config = args[++i];
      } else {
        err.println("deeplake-lock check: unexpected argument '" + args[i] + "'");
        err.print(CHECK_USAGE);
        return USAGE_OR_INVALID;
      }
    }
    if (config == null) {
      err.print(CHECK_USAGE);
      return USAGE_OR_INVALID;
    }
    Path file = Paths.get(config);
    if (!Files.isRegularFile(file)) {
      err.println(config + ":1:1: no such file");
      return USAGE_OR_INVALID;
    }
    AgentConfig parsed;
    try {
      parsed = RuleFile.load(file);
    } catch (RuleFileException e) {
      for (String problem : e.problems()) {
        err.println(problem);
      }
      return USAGE_OR_INVALID;
    }
    out.println(
        config
            + ": valid; ZooKeeper "
            + parsed.connect()
            + ", lock root "
            + parsed.root()
            + ", "
            + parsed.rules().size()
            + " rule(s)");
    for (Rule rule : parsed.rules()) {
      out.println(
          "  "
              + rule.name()
              + ": "
              + rule.mode().label()
              + " lock on "
              + (rule.lockPath() != null ? "fixed path " + rule.lockPath() : rule.dataset())
              + " for "
              + rule.className()
              + "."
              + rule.methods()
              + " ["
              + rule.policy()
              + "]");
    }
    return OK;
  }
}
