package io.deeplakelock.agent;

/**
 * The agent arguments, other than a rules file, with which the command line attaches to a running
 * agent: they name what to do, and the agent acts on them only when attached.
 */
public final class AttachArgument {

  /** The agent argument with which {@code detach <pid>} attaches. */
  public static final String DETACH = "--detach";

  /** The agent argument with which {@code discover <pid>} attaches. */
  public static final String DISCOVER = "--discover";

  /**
   * The agent argument that makes a running agent read its rules file again. {@code reload <pid>}
   * asks through the agent's JMX bean instead, which brings the answer back.
   */
  public static final String RELOAD = "--reload";

  private AttachArgument() {}
}
