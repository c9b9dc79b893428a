package io.deeplakelock.cli;

import java.io.File;
import java.io.PrintStream;
import net.bytebuddy.agent.ByteBuddyAgent;

/** Loads this jar as an agent into another JVM, with an agent argument, through the attach API. */
final class AgentAttach {

  private AgentAttach() {}

  /**
   * Attaches this jar to {@code pid} with {@code argument}; prints {@code success} or why not.
   *
   * @return {@link Main#OK}, or {@link Main#PROBLEMS} when the attach failed
   */
  static int load(String pid, String argument, String success, PrintStream out, PrintStream err) {
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
          AgentAttach.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException("cannot locate deeplake-lock.jar", e);
    }
  }
}
