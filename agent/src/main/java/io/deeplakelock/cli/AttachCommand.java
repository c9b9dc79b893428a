package io.deeplakelock.cli;

import io.deeplakelock.rules.RuleFile;
import io.deeplakelock.rules.RuleFileException;
import java.io.File;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import net.bytebuddy.agent.ByteBuddyAgent;

/**
 * {@code attach <pid> --config FILE} and {@code detach <pid>}: roll the agent out to, or back from,
 * a running JVM without a restart.
 */
final class AttachCommand {

  static final String ATTACH_USAGE =
      "usage: java -jar deeplake-lock.jar attach <pid> --config FILE\n"
          + "\n"
          + "Loads the agent into the running JVM <pid> (same user; a JDK, not a JRE), which\n"
          + "retransforms the classes it has already loaded. The rules file is checked here\n"
          + "first. On JDK 21+ start the target with -XX:+EnableDynamicAgentLoading, or it\n"
          + "prints a warning (and future JDKs refuse).\n"
          + "Exit status: 0 attached, 1 the attach failed, 2 invalid rules file, 64 usage error.\n";

  static final String DETACH_USAGE =
      "usage: java -jar deeplake-lock.jar detach <pid>\n"
          + "\n"
          + "Removes all advice from the running JVM <pid>; guarded calls in flight finish under\n"
          + "the locks they took, then the agent's ZooKeeper session is closed.\n"
          + "Exit status: 0 detached, 1 the detach failed, 64 usage error.\n";

  static final String RELOAD_USAGE =
      "usage: java -jar deeplake-lock.jar reload <pid>\n"
          + "\n"
          + "Makes the agent in the running JVM <pid> read its rules file again (it also does so\n"
          + "by itself when the file changes). The new rules are validated first: an invalid\n"
          + "file leaves the old rules in force. Calls in flight finish under the locks they\n"
          + "took. Changes to the zookeeper section, locks.root and locks.protocol need a restart.\n"
          + "Exit status: 0 reloaded, 1 no agent there or the file is invalid, 64 usage error.\n";

  static final String DISCOVER_USAGE =
      "usage: java -jar deeplake-lock.jar discover <pid>\n"
          + "\n"
          + "Makes the agent in the running JVM <pid>, started with a rules file in mode: discover,\n"
          + "write its draft rules file now (it also does so when the JVM exits). The target's\n"
          + "stderr names the file (audit.draft).\n"
          + "Exit status: 0 written, 1 no agent in mode: discover there, 64 usage error.\n";

  private AttachCommand() {}

  static int discover(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 2 && args[1].equals("--help")) {
      out.print(DISCOVER_USAGE);
      return Main.OK;
    }
    if (args.length != 2 || !args[1].matches("\\d+")) {
      err.print(DISCOVER_USAGE);
      return Main.USAGE;
    }
    return load(
        args[1],
        "--discover",
        "wrote the draft rules of " + args[1] + " (its stderr names the file)",
        out,
        err);
  }

  static int reload(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 2 && args[1].equals("--help")) {
      out.print(RELOAD_USAGE);
      return Main.OK;
    }
    if (args.length != 2 || !args[1].matches("\\d+")) {
      err.print(RELOAD_USAGE);
      return Main.USAGE;
    }
    String pid = args[1];
    String address;
    try {
      address = StatusCommand.localManagementAddress(pid);
    } catch (Exception e) {
      err.println(
          "deeplake-lock reload: cannot attach to " + pid + ": " + StatusCommand.rootCause(e));
      return Main.PROBLEMS;
    }
    // Through the agent's JMX bean, not by loading the agent again: the answer comes back here,
    // and nothing is thrown in the service's attach thread.
    try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
      MBeanServerConnection server = connector.getMBeanServerConnection();
      ObjectName name = new ObjectName("deeplake.lock:type=Agent");
      if (!server.isRegistered(name)) {
        err.println("deeplake-lock reload: deeplake-lock is not running in " + pid);
        return Main.PROBLEMS;
      }
      String[] report = (String[]) server.invoke(name, "reload", new Object[0], new String[0]);
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
    } catch (Exception e) {
      err.println("deeplake-lock reload: " + StatusCommand.rootCause(e));
      return Main.PROBLEMS;
    }
  }

  static int attach(String[] args, PrintStream out, PrintStream err) {
    String pid = null;
    String config = null;
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--help")) {
        out.print(ATTACH_USAGE);
        return Main.OK;
      } else if (args[i].equals("--config") && i + 1 < args.length) {
        config = args[++i];
      } else if (pid == null && args[i].matches("\\d+")) {
        pid = args[i];
      } else {
        err.println("deeplake-lock attach: unexpected argument '" + args[i] + "'");
        err.print(ATTACH_USAGE);
        return Main.USAGE;
      }
    }
    if (pid == null || config == null) {
      err.print(ATTACH_USAGE);
      return Main.USAGE;
    }
    Path rules = Paths.get(config).toAbsolutePath().normalize();
    try {
      RuleFile.load(rules);
    } catch (RuleFileException e) {
      e.problems().forEach(err::println);
      return Main.INVALID;
    }
    // The target resolves the path against its own working directory: pass it absolute.
    return load(pid, rules.toString(), "attached to " + pid + " with rules " + rules, out, err);
  }

  static int detach(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 2 && args[1].equals("--help")) {
      out.print(DETACH_USAGE);
      return Main.OK;
    }
    if (args.length != 2 || !args[1].matches("\\d+")) {
      err.print(DETACH_USAGE);
      return Main.USAGE;
    }
    return load(args[1], "--detach", "detached from " + args[1], out, err);
  }

  private static int load(
      String pid, String argument, String success, PrintStream out, PrintStream err) {
    try {
      ByteBuddyAgent.attach(agentJar(), pid, argument);
      out.println("deeplake-lock: " + success);
      return Main.OK;
    } catch (RuntimeException e) {
      StringBuilder why = new StringBuilder(String.valueOf(e.getMessage()));
      for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
        why.append("; ").append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
      }
      err.println(
          "deeplake-lock: could not load the agent into "
              + pid
              + ": "
              + why
              + " (the target's stderr says more)");
      return Main.PROBLEMS;
    }
  }

  private static File agentJar() {
    try {
      return new File(
          AttachCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException("cannot locate deeplake-lock.jar", e);
    }
  }
}
