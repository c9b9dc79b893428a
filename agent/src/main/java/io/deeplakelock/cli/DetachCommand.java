package io.deeplakelock.cli;

import io.deeplakelock.agent.AttachArgument;
import java.io.PrintStream;

/** {@code detach <pid>}: roll the agent back from a running JVM without a restart. */
final class DetachCommand extends Command {

  static final String USAGE =
      "usage: java -jar deeplake-lock.jar detach <pid>\n"
          + "\n"
          + "Removes all advice from the running JVM <pid>; guarded calls in flight finish under\n"
          + "the locks they took, then the agent's ZooKeeper session is closed.\n"
          + "Exit status: 0 detached, 1 the detach failed, 64 usage error.\n";

  DetachCommand() {
    super(
        "detach",
        "detach <pid>",
        "remove the agent from a running JVM",
        CommandLine.pidOnly(),
        USAGE);
  }

  @Override
  int run(CommandLine.Arguments args, PrintStream out, PrintStream err) {
    String pid = args.operand();
    return AgentAttach.load(pid, AttachArgument.DETACH, "detached from " + pid, out, err);
  }
}
