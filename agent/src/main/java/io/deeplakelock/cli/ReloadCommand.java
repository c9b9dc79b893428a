package io.deeplakelock.cli;

import java.io.PrintStream;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;

/**
 * {@code reload <pid>}: make a running agent read its rules file again, through its JMX bean (not
 * by loading the agent again): the answer comes back here, and nothing is thrown in the service's
 * attach thread.
 */
final class ReloadCommand extends AgentBeanCommand {

  static final String USAGE =
      "usage: java -jar deeplake-lock.jar reload <pid>\n"
          + "\n"
          + "Makes the agent in the running JVM <pid> read its rules file again (it also does so\n"
          + "by itself when the file changes). The new rules are validated first: an invalid\n"
          + "file leaves the old rules in force. Calls in flight finish under the locks they\n"
          + "took. Changes to the zookeeper section, locks.root and locks.protocol need a restart.\n"
          + "Exit status: 0 reloaded, 1 no agent there or the file is invalid, 64 usage error.\n";

  ReloadCommand() {
    super("reload", "re-read the rules file of a running agent", USAGE);
  }

  @Override
  int use(
      String pid, MBeanServerConnection server, ObjectName bean, PrintStream out, PrintStream err)
      throws Exception {
    String[] report = (String[]) server.invoke(bean, "reload", new Object[0], new String[0]);
    if (report.length > 0 && report[0].equals("invalid")) {
      for (int i = 1; i < report.length; i++) {
        err.println(
            "deeplake-lock reload: the rules file of "
                + pid
                + " is invalid; the rules in force stay: "
                + report[i]);
      }
      return Main.PROBLEMS;
    }
    for (int i = 1; i < report.length; i++) {
      out.println("deeplake-lock reload: " + (i == 1 ? report[i] + " in " + pid : report[i]));
    }
    return Main.OK;
  }
}
