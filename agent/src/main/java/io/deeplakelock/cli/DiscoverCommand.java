package io.deeplakelock.cli;

import io.deeplakelock.agent.AttachArgument;
import java.io.PrintStream;

/**
 * {@code discover <pid>}: make an agent in mode: discover write its draft rules file now, rather
 * than only when its JVM exits.
 */
final class DiscoverCommand extends Command {

  static final String USAGE =
      "usage: java -jar deeplake-lock.jar discover <pid>\n"
          + "\n"
          + "Makes the agent in the running JVM <pid>, started with a rules file in mode: discover,\n"
          + "write its draft rules file now (it also does so when the JVM exits). The target's\n"
          + "stderr names the file (audit.draft).\n"
          + "Exit status: 0 written, 1 no agent in mode: discover there, 64 usage error.\n";

  DiscoverCommand() {
    super(
        "discover",
        "discover <pid>",
        "write the draft rules of an agent in mode: discover now",
        CommandLine.pidOnly(),
        USAGE);
  }

  @Override
  int run(CommandLine.Arguments args, PrintStream out, PrintStream err) {
    String pid = args.operand();
    return AgentAttach.load(
        pid,
        AttachArgument.DISCOVER,
        "wrote the draft rules of " + pid + " (its stderr names the file)",
        out,
        err);
  }
}
