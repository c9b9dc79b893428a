package io.deeplakelock.lock;

import io.deeplakelock.rules.AgentConfig;
import io.deeplakelock.rules.ZooKeeperSecurity;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;
import org.apache.curator.utils.ZookeeperFactory;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.data.ACL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's ZooKeeper connection: one Curator client per JVM, and the one view of its live
 * session that the lock engines trust.
 *
 * <p><b>The live session</b> is taken from the raw events of the newest ZooKeeper handle, on that
 * handle's event thread, before Curator sees them: so a disconnection reaches the engines in order
 * with the replies and watch notifications around it, not later on Curator's state thread. It is 0
 * while disconnected, read-only, expired or closed; a session is "ended" once it expired or another
 * one is live. Listeners are called on the event thread and must not block.
 *
 * <p>Starting never blocks: the client is started on the daemon thread {@code
 * deeplake-lock-connect} (at JVM start, the service's main thread would otherwise spend its own CPU
 * time on Curator's threads and ZooKeeper's handle before {@code main}), and connects in the
 * background. Until it is connected the live session is 0, so lock requests wait for it within
 * their own timeouts; {@link #client} waits for the start. Its settings, including authentication,
 * ACLs and TLS ({@link ClientSecurity}), go through its own {@link ZKClientConfig}, never JVM-wide
 * system properties, so a ZooKeeper client of the host service is not affected.
 *
 * <p><b>Start and close.</b> {@code phase} goes NEW, STARTING, STARTED, and to CLOSED from any of
 * them. The connect thread moves it only by compare-and-set (NEW to STARTING, STARTING to STARTED),
 * {@link #close} only by setting CLOSED; so exactly one party closes a started client: {@link
 * #close} when it replaced STARTED, else the connect thread, whose second compare-and-set then
 * fails. No lock is held while Curator starts or closes, and {@link #close} never waits for a
 * start.
 *
 * <p><b>Authentication failures fail closed.</b> When ZooKeeper reports that authentication failed
 * (a SASL login that found no JAAS section, credentials the server refused), ZooKeeper itself
 * carries on unauthenticated; the agent then refuses every lock with the reason, rather than create
 * nodes as an identity nobody configured.
 *
 * <p><b>Why one class of over 400 lines.</b> It has one job, the agent's one ZooKeeper client, and
 * its three parts share the client's state: the start/close phases decide which handle's events may
 * set the live session, and an authentication failure ends that session for the engines. Split, the
 * phase and the session would need a lock between them that one class does not.
 */
final class ZkConnection implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ZkConnection.class);

  /**
   * How long an event waits for its handle's constructor to return (it starts the event thread).
   */
  private static final long HANDLE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);

  /**
   * The most {@link #close} waits for ZooKeeper to answer the close-session request, whatever the
   * connection timeout: a server that answers takes milliseconds, and the JVM's exit waits on it.
   */
  static final long CLOSE_WAIT_MAX_MILLIS = 2_000;

  private static final int NEW = 0;
  private static final int STARTING = 1;
  private static final int STARTED = 2;
  private static final int CLOSED = 3;

  private final AgentConfig config;
  private final CuratorFramework client;
  private final List<NodeStore.ConnectionListener> listeners = new CopyOnWriteArrayList<>();
  private final Set<Long> ended = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean rootAclChecked = new AtomicBoolean();
  private volatile ZooKeeper newest;
  private volatile long live;
  private volatile boolean hadSession; // some handle was ever connected with a session
  // See "Start and close" above.
  private final AtomicInteger phase = new AtomicInteger(NEW);
  private final CountDownLatch startDone = new CountDownLatch(1);
  private volatile boolean startAsked;
  private volatile String connectionState = "CONNECTING";
  private volatile String authProblem;

  ZkConnection(AgentConfig config) {
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
            .zookeeperFactory(new NamedZooKeeperFactory());
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
  }

  private static int clampToInt(long millis) {
    return (int) Math.min(Integer.MAX_VALUE, millis);
  }

  /** Starts the client and its connection on a daemon thread; returns at once. */
  void start() {
    startAsked = true;
    Thread connect = new Thread(this::startClient, "deeplake-lock-connect");
    connect.setDaemon(true);
    connect.start();
  }

  private void startClient() {
    try {
      if (!phase.compareAndSet(NEW, STARTING)) {
        return; // closed before it started
      }
      client.start();
      if (!phase.compareAndSet(STARTING, STARTED)) {
        closeClient(); // closed while starting: nobody else closes it
      }
    } catch (RuntimeException e) {
      log.error("starting the ZooKeeper client failed; every lock is refused: {}", e.toString(), e);
    } finally {
      startDone.countDown();
    }
  }

  /**
   * The Curator client; once {@link #start} was asked, only after the client started (or gave up
   * for the connection timeout), since Curator refuses requests before it starts.
   */
  CuratorFramework client() {
    if (startAsked && startDone.getCount() != 0) {
      BoundedWait.await(startDone, TimeUnit.MILLISECONDS.toNanos(config.connectionTimeoutMillis()));
    }
    return client;
  }

  AgentConfig config() {
    return config;
  }

  /** Called on the event thread at every change of the live session. */
  void addListener(NodeStore.ConnectionListener listener) {
    listeners.add(listener);
  }

  /** The session this client is connected with now, or 0. */
  long liveSession() {
    return live;
  }

  /** Whether {@code session} is gone for good: it expired, or another session is live. */
  boolean sessionEnded(long session) {
    long now = live;
    return ended.contains(session) || (now != 0 && now != session);
  }

  /** How long a call's end may wait for ZooKeeper's answer: the connection timeout. */
  long connectionTimeoutNanos() {
    return TimeUnit.MILLISECONDS.toNanos(client.getZookeeperClient().getConnectionTimeoutMs());
  }

  /** The last connection state Curator reported: CONNECTED, SUSPENDED, LOST, ... */
  String connectionState() {
    return connectionState;
  }

  /** Why authentication failed, or null while it has not; never holds a secret. */
  String authProblem() {
    return authProblem;
  }

  /** A handle's connection events, on its event thread: the live session and authentication. */
  private void onHandleEvent(AtomicReference<ZooKeeper> self, WatchedEvent event) {
    if (event.getType() != Watcher.Event.EventType.None) {
      return;
    }
    onAuthEvent(event);
    ZooKeeper zk = self.get();
    long waitUntil = System.nanoTime() + HANDLE_WAIT_NANOS;
    while (zk == null && System.nanoTime() - waitUntil < 0) {
      Thread.yield(); // the first event can overtake the constructor's return
      zk = self.get();
    }
    if (zk == null) {
      return;
    }
    long session = zk.getSessionId();
    long next;
    switch (event.getState()) {
      case SyncConnected:
        next = session;
        break;
      case Expired:
        ended.add(session);
        next = 0;
        break;
      default: // Disconnected, ConnectedReadOnly (no writes), Closed, auth events
        next =
            event.getState() == Watcher.Event.KeeperState.AuthFailed
                    || event.getState() == Watcher.Event.KeeperState.SaslAuthenticated
                ? live
                : 0;
    }
    if (zk != newest || next == live) {
      return; // an old handle's last words, or nothing new
    }
    long before = live;
    if (next != 0) {
      hadSession = true;
    }
    if (before != 0 && next != 0 && before != next) {
      ended.add(before);
    }
    live = next;
    for (NodeStore.ConnectionListener l : listeners) {
      try {
        l.connection(next);
      } catch (RuntimeException e) {
        log.warn("handling a connection change failed: {}", e.toString(), e);
      }
    }
  }

  private void onConnectionState(ConnectionState state) {
    connectionState = state.name();
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

  /** Authentication events, seen on every handle before Curator sees them. */
  private void onAuthEvent(WatchedEvent event) {
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

  /**
   * Closes the session, so this JVM's lock nodes disappear at once; returns within a bound, since
   * the JVM's exit waits for it.
   *
   * <p>ZooKeeper's own close sends a close-session request and waits for its answer, or for the
   * connection attempt under way to fail: up to the session timeout against a server that accepts
   * connections and never answers, about a second against one that refuses them. The close
   * therefore runs on a daemon thread: when no session was ever established there is nothing to end
   * (no node can exist), so it is interrupted at once, which makes ZooKeeper skip the wait and only
   * drop the connection; otherwise it may wait for the answer for the connection timeout, at most
   * {@link #CLOSE_WAIT_MAX_MILLIS}, and is then interrupted. Nobody waits for the interrupted close
   * to finish dropping the connection. Nodes a session left behind that way go when the server
   * expires the session.
   */
  @Override
  public void close() {
    if (phase.getAndSet(CLOSED) != STARTED) {
      return; // never started, closed already, or the connect thread closes what it started
    }
    Thread closer = new Thread(this::closeClient, "deeplake-lock-close");
    closer.setDaemon(true);
    closer.start();
    long patience =
        hadSession ? Math.min(config.connectionTimeoutMillis(), CLOSE_WAIT_MAX_MILLIS) : 0;
    boolean interrupted = false;
    try {
      if (!joinWithin(closer, patience)) {
        if (hadSession) {
          log.warn(
              "ZooKeeper did not answer the close of the session within {} ms; its lock nodes go"
                  + " when the server expires the session",
              patience);
        }
        closer.interrupt(); // it drops the connection and ends on its own, unwaited for
      }
    } catch (InterruptedException e) {
      interrupted = true;
      closer.interrupt();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void closeClient() {
    try {
      client.close();
    } catch (RuntimeException e) {
      log.debug("closing the ZooKeeper client failed: {}", e.toString());
    }
  }

  /** Waits at most {@code millis} (0: not at all) for {@code thread} to end; true if it has. */
  private static boolean joinWithin(Thread thread, long millis) throws InterruptedException {
    if (millis > 0) {
      thread.join(millis);
    }
    return !thread.isAlive();
  }

  /**
   * Creates ZooKeeper handles from a thread named {@code deeplake-lock}, since ZooKeeper names its
   * I/O and event threads after the creating thread; with the configuration {@link ClientSecurity}
   * made (SASL off unless configured, so a JAAS file meant for the host service is not tried on our
   * connection); and with a watcher that sees authentication events first.
   */
  private final class NamedZooKeeperFactory implements ZookeeperFactory {

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
      AtomicReference<ZooKeeper> self = new AtomicReference<>();
      Watcher both =
          event -> {
            try {
              onHandleEvent(self, event);
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
      ZooKeeper zk = (ZooKeeper) made;
      newest = zk;
      self.set(zk);
      return zk;
    }
  }
}
