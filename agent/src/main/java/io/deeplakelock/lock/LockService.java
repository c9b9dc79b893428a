package io.deeplakelock.lock;

import io.deeplakelock.bridge.HeldLockInfo;
import io.deeplakelock.rules.AgentConfig;
import io.deeplakelock.rules.ZooKeeperSecurity;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;
import org.apache.curator.utils.ZookeeperFactory;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.data.ACL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's ZooKeeper client and its dataset locks: one Curator client per JVM, one {@link
 * DatasetLock} per lock path.
 *
 * <p>Starting never blocks on ZooKeeper: the client connects in the background and each acquisition
 * waits for the connection within its own timeout. The client's settings, including its
 * authentication, ACLs and TLS ({@link ClientSecurity}), go through its own {@link ZKClientConfig},
 * never JVM-wide system properties, so a ZooKeeper client of the host service is not affected.
 *
 * <p><b>Authentication failures fail closed.</b> When ZooKeeper reports that authentication failed
 * (a SASL login that found no JAAS section, credentials the server refused), ZooKeeper itself
 * carries on unauthenticated; this service then refuses every lock with the reason, rather than
 * create nodes as an identity nobody configured.
 */
public final class LockService implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LockService.class);

  private final AgentConfig config;
  private final CuratorFramework client;
  private final ConcurrentHashMap<String, DatasetLock> locks = new ConcurrentHashMap<>();
  private final LongAdder waitNanos = new LongAdder();
  private final LongAdder lostLocks = new LongAdder();
  private final AtomicInteger threadsSeen = new AtomicInteger();
  // The session this client is connected with, as the connection listener last saw it; 0 while
  // connecting, suspended or lost. Shared lock nodes are trusted only while it is theirs.
  private volatile long liveSession;
  private final Object sessionLock = new Object();
  private final ScheduledThreadPoolExecutor timer;
  private volatile String connectionState = "CONNECTING";
  private volatile String authProblem;
  private final AtomicBoolean rootAclChecked = new AtomicBoolean();
  private final Set<String> warnedForeign = ConcurrentHashMap.newKeySet();
  private volatile String processName; // pid@host, looked up at first use: JMX is slow to load
  // The guarded calls running on each thread, innermost last.
  private final ThreadLocal<CallFrames> frames =
      ThreadLocal.withInitial(() -> new CallFrames(threadsSeen.getAndIncrement()));

  private LockService(AgentConfig config) {
    this.config = config;
    CuratorFrameworkFactory.Builder builder =
        CuratorFrameworkFactory.builder()
            .connectString(config.connect())
            .sessionTimeoutMs(clampToInt(config.sessionTimeoutMillis()))
            .connectionTimeoutMs(clampToInt(config.connectionTimeoutMillis()))
            .retryPolicy(new BoundedExponentialBackoffRetry(100, 1000, 3))
            .threadFactory(new DaemonThreads("curator"))
            // The connect string stays as configured: the ensemble tracker would replace it
            // with the addresses servers publish, which a proxy, load balancer or NAT hides.
            .ensembleTracker(false)
            .zookeeperFactory(new NamedZooKeeperFactory(this::onSessionEvent));
    if (config.namespace() != null) {
      builder.namespace(config.namespace());
    }
    ClientSecurity.apply(config.security(), builder);
    this.client = builder.build();
    ZooKeeperSecurity.Tls tls = config.security().tls();
    if (tls != null && !tls.hostnameVerification()) {
      log.warn(
          "zookeeper.tls.hostnameVerification is false: any server with a certificate from the"
              + " trusted CAs is accepted, whatever its host name");
    }
    client.getConnectionStateListenable().addListener((c, state) -> onConnectionState(state));
    // Lingering nodes, queue-watch releases and hand-off checks: one daemon thread, started lazily.
    timer = new ScheduledThreadPoolExecutor(1, new DaemonThreads("timer"));
    timer.setRemoveOnCancelPolicy(true);
  }

  private static int clampToInt(long millis) {
    return (int) Math.min(Integer.MAX_VALUE, millis);
  }

  /** Creates the client and starts connecting in the background; returns at once. */
  public static LockService start(AgentConfig config) {
    LockService service = new LockService(config);
    service.client.start();
    return service;
  }

  /** The lock object for {@code path}; the same object for the JVM's lifetime. */
  public DatasetLock lock(String path) {
    DatasetLock lock = locks.get(path);
    return lock != null
        ? lock
        : locks.computeIfAbsent(
            path, p -> new DatasetLock(this, p, config.coalesce(), config.lingerMillis()));
  }

  /** The guarded calls running on this thread. */
  public CallFrames frames() {
    return frames.get();
  }

  /** The lock of the innermost guarded call on this thread, or null. */
  public HeldLockInfo current() {
    return frames.get().currentInfo();
  }

  /** Every lock this JVM has used, by path. */
  public Map<String, DatasetLock> locks() {
    return Collections.unmodifiableMap(locks);
  }

  /** The last connection state Curator reported: CONNECTED, SUSPENDED, LOST, ... */
  public String connectionState() {
    return connectionState;
  }

  public CuratorFramework client() {
    return client;
  }

  public String connectString() {
    return config.connect();
  }

  AgentConfig.Protocol protocol() {
    return config.protocol();
  }

  /** Authentication, ACLs and TLS of this client (it prints without secrets). */
  public ZooKeeperSecurity security() {
    return config.security();
  }

  /**
   * Why ZooKeeper authentication failed, or null while it has not: locks are refused meanwhile.
   * Never holds a secret.
   */
  public String authProblem() {
    return authProblem;
  }

  /** The current ZooKeeper session id, or 0 while there is none. */
  long sessionId() {
    try {
      return client.getZookeeperClient().getZooKeeper().getSessionId();
    } catch (Exception e) {
      return 0;
    }
  }

  /** The session of the last CONNECTED or RECONNECTED event, or 0 while there is none. */
  long liveSession() {
    return liveSession;
  }

  /**
   * A node was just created in {@code session}: the connection is up, whatever the listener says.
   */
  void noteSession(long session) {
    if (liveSession == 0) {
      synchronized (sessionLock) {
        if (liveSession == 0
            && (connectionState.equals("CONNECTING") // before the listener's first event
                || connectionState.equals(ConnectionState.CONNECTED.name())
                || connectionState.equals(ConnectionState.RECONNECTED.name()))
            && client.getZookeeperClient().isConnected()
            && sessionId() == session) {
          liveSession = session;
        }
      }
    }
  }

  /**
   * Whether the lock nodes of {@code session} are still ours: waits (at most a session and a
   * connection timeout) while disconnected, since a session that outlives the disconnection keeps
   * its nodes. Returns null when they are, or why they are not.
   */
  String awaitSession(long session) {
    long deadline = System.nanoTime() + removalPatienceNanos();
    if (!awaitConnected(deadline)) {
      return "ZooKeeper stayed unreachable for longer than the session timeout";
    }
    return sessionId() == session ? null : "the ZooKeeper session expired";
  }

  private long removalPatienceNanos() {
    return TimeUnit.MILLISECONDS.toNanos(
        client.getZookeeperClient().getLastNegotiatedSessionTimeoutMs()
            + client.getZookeeperClient().getConnectionTimeoutMs());
  }

  private boolean awaitConnected(long deadline) {
    if (client.getZookeeperClient().isConnected()) {
      return true;
    }
    long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    try {
      return remainingMs > 0
          && client.blockUntilConnected(
              (int) Math.min(Integer.MAX_VALUE, remainingMs), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Removes our node and says whether the lock had been lost, or null when it was held to the end.
   * A disconnected client cannot know: it waits (at most a session and a connection timeout) for
   * ZooKeeper, since a session that outlives the disconnection still holds the lock. It never
   * deletes another holder's node: ours is named by its unique sequence.
   */
  String removeNode(LockNode node) {
    long deadline = System.nanoTime() + removalPatienceNanos();
    boolean deleteMayHaveSucceeded = false;
    while (true) {
      if (!awaitConnected(deadline)) {
        deleteInBackground(node.path);
        return "ZooKeeper stayed unreachable for longer than the session timeout";
      }
      if (sessionId() != node.sessionId) {
        return "the ZooKeeper session expired"; // the server removed the node with the session
      }
      try {
        client.delete().forPath(node.path);
        return null;
      } catch (KeeperException.NoNodeException e) {
        // After a delete whose reply was lost, NoNode in the same session is our own delete.
        return deleteMayHaveSucceeded ? null : "its lock node was deleted";
      } catch (Exception e) {
        deleteMayHaveSucceeded = true;
        if (System.nanoTime() - deadline > 0) {
          deleteInBackground(node.path);
          return "its release could not be confirmed: " + e;
        }
      }
    }
  }

  /**
   * Removes our node without waiting, then tells {@code outcome} why the lock had been lost, or
   * null. Curator retries the guaranteed delete until it succeeds.
   */
  void removeNodeInBackground(LockNode node, java.util.function.Consumer<String> outcome) {
    if (sessionId() != node.sessionId) {
      outcome.accept("the ZooKeeper session expired");
      return;
    }
    try {
      client
          .delete()
          .guaranteed()
          .inBackground(
              (c, event) -> {
                int rc = event.getResultCode();
                outcome.accept(
                    rc == KeeperException.Code.NONODE.intValue()
                        ? "its lock node was deleted"
                        : null);
              })
          .forPath(node.path);
    } catch (Exception e) {
      log.warn("could not schedule the removal of {}: {}", node.path, e.toString());
    }
  }

  /** Curator keeps retrying a guaranteed delete in the background until it succeeds. */
  private void deleteInBackground(String path) {
    try {
      client.delete().guaranteed().inBackground().forPath(path);
    } catch (Exception e) {
      log.warn("could not schedule the removal of {}: {}", path, e.toString());
    }
  }

  /** Runs {@code task} on the agent's timer thread after {@code millis}. */
  void schedule(Runnable task, long millis) {
    try {
      timer.schedule(guarded(task), millis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("timer stopped; task dropped: {}", e.toString());
    }
  }

  /** Runs {@code task} on the agent's timer thread, off the caller's (or Curator's) thread. */
  void execute(Runnable task) {
    schedule(task, 0);
  }

  private static Runnable guarded(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException | Error e) {
        log.warn("lock housekeeping failed: {}", e.toString(), e);
      }
    };
  }

  /** Outermost guarded calls that are waiting for or holding a lock right now. */
  public int callsInFlight() {
    int calls = 0;
    for (DatasetLock lock : locks.values()) {
      calls += lock.callsInFlight();
    }
    return calls;
  }

  void recordWait(long nanos) {
    waitNanos.add(nanos);
  }

  /** Nanoseconds spent waiting for locks in this JVM. */
  public long totalWaitNanos() {
    return waitNanos.sum();
  }

  void countLostLock() {
    lostLocks.increment();
  }

  /** How many held locks were found lost when their call ended. */
  public long lostLocks() {
    return lostLocks.sum();
  }

  byte[] holderData(Thread thread) {
    String process = processName;
    if (process == null) {
      process = ManagementFactory.getRuntimeMXBean().getName();
      processName = process;
    }
    return ("deeplake-lock " + process + " thread " + thread.getName())
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Warns once per path when the other protocol family queues on it too: they interoperate. */
  void noticeForeignContenders(String path, List<LockNodeName.Contender> queue) {
    boolean oursKazoo = config.protocol() == AgentConfig.Protocol.KAZOO;
    for (LockNodeName.Contender c : queue) {
      if (c.kazooFamily != oursKazoo && warnedForeign.add(path)) {
        log.warn(
            "lock path {} also has {} lock nodes ({}); they are queued together with ours",
            path,
            c.kazooFamily ? "kazoo-style" : "Curator-style",
            c.name);
        return;
      }
    }
  }

  private void onConnectionState(ConnectionState state) {
    synchronized (sessionLock) {
      connectionState = state.name();
      liveSession = state.isConnected() && state != ConnectionState.READ_ONLY ? sessionId() : 0;
    }
    if (state == ConnectionState.RECONNECTED) {
      for (DatasetLock lock : locks.values()) {
        lock.rewatch();
      }
    }
    if (state.isConnected() && rootAclChecked.compareAndSet(false, true)) {
      checkRootAcl();
    }
    switch (state) {
      case LOST:
        log.warn(
            "ZooKeeper session lost ({}): locks held now are lost; new calls wait for a new"
                + " session",
            config.connect());
        break;
      case SUSPENDED:
        log.warn("ZooKeeper connection suspended ({}); new lock requests wait", config.connect());
        break;
      case RECONNECTED:
        log.warn("ZooKeeper connection re-established ({})", config.connect());
        break;
      default:
        log.debug("ZooKeeper connection state {}", state);
    }
  }

  /** Sees ZooKeeper's authentication events on every handle, before Curator does. */
  private void onSessionEvent(WatchedEvent event) {
    if (event.getType() != Watcher.Event.EventType.None) {
      return;
    }
    if (event.getState() == Watcher.Event.KeeperState.SaslAuthenticated) {
      if (authProblem != null) {
        log.warn("ZooKeeper SASL authentication succeeded; locks are granted again");
      }
      authProblem = null;
    } else if (event.getState() == Watcher.Event.KeeperState.AuthFailed) {
      String problem = describeAuthFailure();
      if (!problem.equals(authProblem)) {
        log.error("{}; every lock is refused until this is fixed", problem);
      }
      authProblem = problem;
    }
  }

  private String describeAuthFailure() {
    ZooKeeperSecurity security = config.security();
    switch (security.scheme()) {
      case SASL:
        if (!jvmHasJaasSection(security.saslSection())) {
          return "ZooKeeper SASL login failed: this JVM's JAAS configuration has no section '"
              + security.saslSection()
              + "'. ZooKeeper reads JAAS only from the JVM-wide configuration: start the JVM with"
              + " -Djava.security.auth.login.config="
              + (security.jaasFile() != null ? security.jaasFile() : "/path/to/jaas.conf");
        }
        return "ZooKeeper SASL authentication with JAAS section '"
            + security.saslSection()
            + "' failed (the server refused the login, or the login module failed; the ZooKeeper"
            + " client's log lines say more)";
      case DIGEST:
        return "ZooKeeper refused the digest authentication of user '"
            + security.digestUser()
            + "' (does the server accept the digest scheme?)";
      default:
        return "ZooKeeper authentication failed";
    }
  }

  private static boolean jvmHasJaasSection(String section) {
    try {
      return javax.security.auth.login.Configuration.getConfiguration()
              .getAppConfigurationEntry(section)
          != null;
    } catch (RuntimeException e) {
      return false; // no JAAS configuration at all
    }
  }

  /**
   * Warns once when the lock root already exists with an ACL that lets anyone change it while the
   * rules ask for a restricted one: ACLs are set only on nodes the agent creates.
   */
  private void checkRootAcl() {
    if (config.security().acl() == ZooKeeperSecurity.Acl.OPEN) {
      return;
    }
    try {
      client
          .getACL()
          .inBackground(
              (c, event) -> {
                if (event.getResultCode() != 0 || event.getACLList() == null) {
                  return; // NoNode: we create it; NoAuth: not ours to judge
                }
                for (ACL acl : event.getACLList()) {
                  if (acl.getId().getScheme().equals("world")
                      && (acl.getPerms() & ~ZooDefs.Perms.READ) != 0) {
                    log.warn(
                        "lock root {} already exists with an ACL that lets anyone change it"
                            + " (world:anyone has permissions {}); the agent sets its ACL ({})"
                            + " only on nodes it creates. Restrict it, e.g. in zkCli.sh after"
                            + " addauth: setAcl -R {} auth::cdrwa",
                        config.root(),
                        perms(acl.getPerms()),
                        config.security().acl().label(),
                        config.root());
                    return;
                  }
                }
              })
          .forPath(config.root());
    } catch (Exception e) {
      log.debug("reading the ACL of {} failed: {}", config.root(), e.toString());
    }
  }

  private static String perms(int perms) {
    StringBuilder out = new StringBuilder();
    String letters = "rwcda"; // ZooDefs.Perms: READ=1, WRITE=2, CREATE=4, DELETE=8, ADMIN=16
    for (int i = 0; i < letters.length(); i++) {
      if ((perms & (1 << i)) != 0) {
        out.append(letters.charAt(i));
      }
    }
    return out.toString();
  }

  /** Closes the session, so this JVM's lock nodes disappear at once. */
  @Override
  public void close() {
    timer.shutdownNow();
    client.close();
  }

  /**
   * Creates ZooKeeper handles from a thread named {@code deeplake-lock}, since ZooKeeper names its
   * I/O and event threads after the creating thread; with the configuration {@link ClientSecurity}
   * made (SASL off unless configured, so a JAAS file meant for the host service is not tried on our
   * connection); and with a watcher that sees authentication events first.
   */
  private static final class NamedZooKeeperFactory implements ZookeeperFactory {
    private final Watcher sessionEvents;

    NamedZooKeeperFactory(Watcher sessionEvents) {
      this.sessionEvents = sessionEvents;
    }

    @Override
    public ZooKeeper newZooKeeper(
        String connectString, int sessionTimeout, Watcher watcher, boolean canBeReadOnly)
        throws Exception {
      return newZooKeeper(connectString, sessionTimeout, watcher, canBeReadOnly, null);
    }

    @Override
    public ZooKeeper newZooKeeper(
        String connectString,
        int sessionTimeout,
        Watcher watcher,
        boolean canBeReadOnly,
        ZKClientConfig given)
        throws Exception {
      ZKClientConfig zkConfig =
          given != null ? given : ClientSecurity.clientConfig(ZooKeeperSecurity.NONE);
      Watcher both =
          event -> {
            try {
              sessionEvents.process(event);
            } catch (RuntimeException e) {
              log.warn("handling ZooKeeper event {} failed: {}", event, e.toString());
            }
            watcher.process(event);
          };
      AtomicReference<Object> result = new AtomicReference<>();
      Thread creator =
          new Thread(
              () -> {
                try {
                  result.set(
                      new ZooKeeper(connectString, sessionTimeout, both, canBeReadOnly, zkConfig));
                } catch (Exception | Error e) {
                  result.set(e);
                }
              },
              "deeplake-lock");
      creator.setDaemon(true);
      creator.start();
      creator.join();
      Object made = result.get();
      if (made instanceof Exception) {
        throw (Exception) made;
      }
      if (made instanceof Error) {
        throw (Error) made;
      }
      return (ZooKeeper) made;
    }
  }
}
