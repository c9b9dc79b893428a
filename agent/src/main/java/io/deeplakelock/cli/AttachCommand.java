package io.deeplakelock.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * {@code attach <pid> --config FILE}: roll the agent out to a running JVM without a restart, after
 * checking its rules file here.
 */
final class AttachCommand extends Command {

  static final String USAGE =
      "usage: java -jar deeplake-lock.jar attach <pid> --config FILE\n"
          + "\n"
          + "Loads the agent into the running JVM <pid> (same user; a JDK, not a JRE), which\n"
          + "retransforms the classes it has already loaded. The rules file is checked here\n"
          + "first. On JDK 21+ start the target with -XX:+EnableDynamicAgentLoading, or it\n"
          + "prints a warning (and future JDKs refuse).\n"
          + "Exit status: 0 attached, 1 the attach failed, 2 invalid rules file, 64 usage error.\n";

  AttachCommand() {
    super(
        "attach",
        "attach <pid> --config FILE",
        "load the agent into a running JVM",
        CommandLine.options(CommandLine.Operand.PID, "--config"),
        USAGE);
  }

  @Override
  int run(CommandLine.Arguments args, PrintStream out, PrintStream err)
      throws CommandLine.UsageException {
    String pid = args.requiredOperand();
    Path rules = Paths.get(args.required("--config")).toAbsolutePath().normalize();
    if (RulesArgument.load(rules, err) == null) {
      return Main.INVALID;
    }
    // The target resolves the path against its own working directory: pass it absolute.
    return AgentAttach.load(
        pid, rules.toString(), "attached to " + pid + " with rules " + rules, out, err);
  }
}
