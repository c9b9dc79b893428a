package io.deeplakelock.agent;

import java.util.List;

/**
 * What the agent exposes over JMX as {@code deeplake.lock:type=Agent}, and what {@code status
 * <pid>} prints. Holds no secret: the connect string carries none, and credentials never reach it.
 */
public interface AgentStatusMXBean {

  String getVersion();

  String getRulesFile();

  /** ZooKeeper connect string (and namespace). */
  String getZooKeeper();

  /** Authentication, ACL and TLS in use, described without any secret. */
  String getSecurity();

  /** The last connection state: CONNECTING, CONNECTED, SUSPENDED, RECONNECTED, LOST. */
  String getConnectionState();

  /** One line per rule in force. */
  List<String> getRules();

  /** Methods woven with advice so far. */
  int getInstrumentedMethods();

  /** Guarded calls waiting for or holding a lock right now. */
  int getCallsInFlight();

  long getLocksLost();

  /**
   * The file audit: a summary line (findings, call sites, what is watched), then one line per call
   * site; empty when {@code audit.mode} is off.
   */
  List<String> getAudit();

  /** Every lock path this JVM has used. */
  List<JmxLockStatus> getLocks();

  /**
   * Re-reads the rules file, as {@code reload <pid>} asks: {@code reloaded} or {@code invalid} (the
   * rules in force stay), then one line per problem ({@code file:line:col: message}) or per changed
   * setting that needs a restart.
   */
  List<String> reload();
}
