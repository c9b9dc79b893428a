package io.deeplakelock.agent;

import java.lang.instrument.Instrumentation;

/**
 * The {@code Premain-Class} and {@code Agent-Class} of deeplake-lock.jar. Deliberately tiny and
 * stateless: it hands over to {@link AgentStartup}, which must run before any bridge class loads.
 */
public final class LockAgent {

  private LockAgent() {}

  /** Entry point for {@code -javaagent:deeplake-lock.jar=rules.yaml}. */
  public static void premain(String args, Instrumentation inst) {
    AgentStartup.start(args, inst, false);
  }

  /** Entry point when attached to a running JVM. */
  public static void agentmain(String args, Instrumentation inst) {
    AgentStartup.start(args, inst, true);
  }
}
