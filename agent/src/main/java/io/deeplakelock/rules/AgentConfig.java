package io.deeplakelock.rules;

import java.util.Collections;
import java.util.List;

/**
 * A whole rules file, validated: ZooKeeper settings (with their security), lock defaults and the
 * rules.
 */
public final class AgentConfig {

  /** {@link #lingerMillis()} when {@code locks.linger} is unset: lingering adapts. */
  public static final long ADAPTIVE_LINGER = -1;

  /** Which lock-node naming other clients on the same paths understand. */
  public enum Protocol implements Labelled {
    /**
     * {@code <uuid>__lock__<seq>} / {@code __rlock__}: Python kazoo's Lock, WriteLock, ReadLock.
     */
    KAZOO,
    /** {@code _c_<uuid>-__WRIT__<seq>} / {@code __READ__}: Curator's InterProcessReadWriteLock. */
    CURATOR
  }

  private final String source;
  private final String connect;
  private final long sessionTimeoutMillis;
  private final long connectionTimeoutMillis;
  private final String namespace;
  private final ZooKeeperSecurity security;
  private final String root;
  private final Protocol protocol;
  private final boolean coalesce;
  private final long lingerMillis;
  private final List<Rule> rules;
  private final RolloutMode mode;
  private final AuditSettings audit;

  AgentConfig(
      String source,
      String connect,
      long sessionTimeoutMillis,
      long connectionTimeoutMillis,
      String namespace,
      ZooKeeperSecurity security,
      String root,
      Protocol protocol,
      boolean coalesce,
      long lingerMillis,
      List<Rule> rules,
      RolloutMode mode,
      AuditSettings audit) {
    this.source = source;
    this.connect = connect;
    this.sessionTimeoutMillis = sessionTimeoutMillis;
    this.connectionTimeoutMillis = connectionTimeoutMillis;
    this.namespace = namespace;
    this.security = security;
    this.root = root;
    this.protocol = protocol;
    this.coalesce = coalesce;
    this.lingerMillis = lingerMillis;
    this.rules = Collections.unmodifiableList(rules);
    this.mode = mode;
    this.audit = audit;
  }

  /** The rules file this came from, as given. */
  public String source() {
    return source;
  }

  /** The ZooKeeper connect string, after environment expansion. */
  public String connect() {
    return connect;
  }

  public long sessionTimeoutMillis() {
    return sessionTimeoutMillis;
  }

  public long connectionTimeoutMillis() {
    return connectionTimeoutMillis;
  }

  /** A chroot for every znode the agent touches, or null. */
  public String namespace() {
    return namespace;
  }

  /** Authentication, ACLs and TLS of the ZooKeeper client; never null. */
  public ZooKeeperSecurity security() {
    return security;
  }

  /** The parent znode of the per-dataset lock paths. */
  public String root() {
    return root;
  }

  public Protocol protocol() {
    return protocol;
  }

  /**
   * True (the default) when the guarded calls of this JVM share ZooKeeper nodes: readers of a
   * dataset one read node, writers one write node handed from writer to writer; false for one node
   * per guarded call.
   */
  public boolean coalesce() {
    return coalesce;
  }

  /**
   * How long a node is kept after the last local holder released it, for the next local call to
   * reuse: {@link #ADAPTIVE_LINGER} (the default, {@code linger} unset) keeps it while this JVM
   * keeps using it and no other process waits for it; 0 releases it at once; a duration keeps it
   * that long (cut short once another process waits). Ignored without {@link #coalesce()}.
   */
  public long lingerMillis() {
    return lingerMillis;
  }

  /** The file's {@code mode}; each rule may have its own (never {@code discover}). */
  public RolloutMode mode() {
    return mode;
  }

  /** True for {@code mode: discover}: no locks, the audit records methods for a draft. */
  public boolean discovering() {
    return mode == RolloutMode.DISCOVER;
  }

  /** The {@code audit} section; {@link AuditSettings#OFF} when the file has none. */
  public AuditSettings audit() {
    return audit;
  }

  /** True when JDK file classes are instrumented: an audit mode, or discovery. */
  public boolean watchesFiles() {
    return discovering() || audit.mode() != AuditSettings.Mode.OFF;
  }

  /** The rules in file order; a rule's id is its index here. */
  public List<Rule> rules() {
    return rules;
  }
}
