package io.deeplakelock.cli;

import java.io.PrintStream;
import java.lang.reflect.Method;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * A command {@code <word> <pid>} that works on the {@code deeplake.lock:type=Agent} JMX bean of the
 * agent in another JVM, reached through that JVM's local management agent, which the JDK attach API
 * starts if need be.
 */
abstract class AgentBeanCommand extends Command {

  static final String NAME = "deeplake.lock:type=Agent";

  AgentBeanCommand(String name, String summary, String usage) {
    super(name, name + " <pid>", summary, CommandLine.pidOnly(), usage);
  }

  /**
   * What the command does with the bean of {@code pid} once it is found.
   *
   * @return the exit status
   * @throws Exception reported on stderr with its root cause; the exit status is then {@link
   *     Main#PROBLEMS}
   */
  abstract int use(
      String pid, MBeanServerConnection server, ObjectName bean, PrintStream out, PrintStream err)
      throws Exception;

  /**
   * Connects to the bean in the pid given and hands it to {@link #use}; reports on stderr a JVM
   * that cannot be reached or runs no agent.
   */
  @Override
  final int run(CommandLine.Arguments args, PrintStream out, PrintStream err) {
    String pid = args.operand();
    String command = name();
    String address;
    try {
      address = localManagementAddress(pid);
    } catch (Exception e) {
      err.println("deeplake-lock " + command + ": cannot attach to " + pid + ": " + rootCause(e));
      return Main.PROBLEMS;
    }
    try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
      MBeanServerConnection server = connector.getMBeanServerConnection();
      ObjectName name = new ObjectName(NAME);
      if (!server.isRegistered(name)) {
        err.println("deeplake-lock " + command + ": deeplake-lock is not running in " + pid);
        return Main.PROBLEMS;
      }
      return use(pid, server, name, out, err);
    } catch (Exception e) {
      err.println("deeplake-lock " + command + ": " + rootCause(e));
      return Main.PROBLEMS;
    }
  }

  /** Starts (or finds) the target's local JMX agent through the JDK attach API. */
  private static String localManagementAddress(String pid) throws Exception {
    Class<?> vmClass = Class.forName("com.sun.tools.attach.VirtualMachine");
    Object vm = vmClass.getMethod("attach", String.class).invoke(null, pid);
    try {
      Method start = vmClass.getMethod("startLocalManagementAgent");
      return (String) start.invoke(vm);
    } finally {
      vmClass.getMethod("detach").invoke(vm);
    }
  }

  private static String rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}
