package io.deeplakelock.cli;

import java.io.PrintStream;
import java.lang.reflect.Method;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The {@code deeplake.lock:type=Agent} JMX bean of the agent in another JVM, reached through that
 * JVM's local management agent, which the JDK attach API starts if need be.
 */
final class AgentBean {

  static final String NAME = "deeplake.lock:type=Agent";

  /** What a command does with the bean once it is found. */
  interface Use {
    int with(MBeanServerConnection server, ObjectName bean) throws Exception;
  }

  private AgentBean() {}

  /**
   * Connects to the bean in {@code pid} and hands it to {@code use}; reports on stderr, as {@code
   * command}, a JVM that cannot be reached or runs no agent.
   *
   * @return what {@code use} returns, or {@link Main#PROBLEMS}
   */
  static int use(String command, String pid, PrintStream err, Use use) {
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
      return use.with(server, name);
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
