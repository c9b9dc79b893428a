package io.deeplakelock.cli;

import java.io.PrintStream;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;

/**
 * {@code status <pid>}: what the agent in a running JVM is doing, read from its {@code
 * deeplake.lock:type=Agent} JMX bean through the JVM's local management agent.
 */
final class StatusCommand extends AgentBeanCommand {

  static final String USAGE =
      "usage: java -jar deeplake-lock.jar status <pid>\n"
          + "\n"
          + "Prints the rules in force, the ZooKeeper connection state, instrumented methods and,\n"
          + "per lock path: acquisitions, waits, timeouts, lost locks, fencing token, wait and\n"
          + "hold time percentiles, and this JVM's current holders and waiters. The same figures\n"
          + "are on JMX as deeplake.lock:type=Agent. Needs a JDK (attach API), same user.\n"
          + "Exit status: 0 printed, 1 no agent in that JVM or it cannot be reached, 64 usage.\n";

  /** The agent's attributes that the first line shows, in its order. */
  private static final String[] HEADER = {
    "Version",
    "RulesFile",
    "ZooKeeper",
    "ConnectionState",
    "Security",
    "InstrumentedMethods",
    "CallsInFlight",
    "LocksLost"
  };

  StatusCommand() {
    super("status", "rules, connection and per-lock figures of a running agent", USAGE);
  }

  @Override
  int use(
      String pid, MBeanServerConnection server, ObjectName bean, PrintStream out, PrintStream err)
      throws Exception {
    print(pid, server, bean, out);
    return Main.OK;
  }

  private static void print(
      String pid, MBeanServerConnection server, ObjectName name, PrintStream out) throws Exception {
    Object[] header = new Object[HEADER.length];
    for (int i = 0; i < HEADER.length; i++) {
      header[i] = server.getAttribute(name, HEADER[i]);
    }
    out.println(
        String.format(
            "deeplake-lock %s in pid "
                + pid
                + ": rules %s, ZooKeeper %s (%s; %s), %s method(s) instrumented,"
                + " %s call(s) in flight, %s lock(s) lost",
            header));
    out.println("rules:");
    for (String rule : (String[]) server.getAttribute(name, "Rules")) {
      out.println("  " + rule);
    }
    for (String line : audit(server, name)) {
      out.println(line);
    }
    CompositeData[] locks = (CompositeData[]) server.getAttribute(name, "Locks");
    out.println("locks: " + locks.length);
    for (CompositeData lock : locks) {
      String dataset = (String) lock.get("dataset");
      out.println(
          "  " + lock.get("lockPath") + (dataset.isEmpty() ? "" : "  (dataset " + dataset + ")"));
      out.println(
          String.format(
              "    acquisitions %d (waited %d), timeouts %d, lost %d, fencing token %d",
              lock.get("acquisitions"),
              lock.get("waited"),
              lock.get("timeouts"),
              lock.get("lost"),
              lock.get("fencingToken")));
      out.println(
          String.format(
              "    wait p50 %.3f ms p99 %.3f ms, hold p50 %.3f ms p99 %.3f ms",
              lock.get("waitP50Millis"),
              lock.get("waitP99Millis"),
              lock.get("holdP50Millis"),
              lock.get("holdP99Millis")));
      out.println(
          "    holders "
              + String.join(", ", (String[]) lock.get("holders"))
              + "; waiters "
              + String.join(", ", (String[]) lock.get("waiters")));
      long observed = (Long) lock.get("observed");
      long shadowed = (Long) lock.get("shadowed");
      if (observed > 0) {
        out.println(
            "    observe: "
                + observed
                + " call(s), "
                + lock.get("wouldWait")
                + " would have waited"
                + (((String) lock.get("lastBlocker")).isEmpty()
                    ? ""
                    : " (last behind " + lock.get("lastBlocker") + ")"));
      }
      if (shadowed > 0) {
        out.println("    shadow: " + shadowed + " call(s) would have taken this lock");
      }
    }
  }

  /** The audit's lines; none from an agent that predates the audit or runs without it. */
  private static String[] audit(MBeanServerConnection server, ObjectName name) throws Exception {
    try {
      return (String[]) server.getAttribute(name, "Audit");
    } catch (javax.management.AttributeNotFoundException e) {
      return new String[0];
    }
  }
}
