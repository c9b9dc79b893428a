package io.deeplakelock.lock;

import io.deeplakelock.rules.AgentConfig;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;
import org.apache.curator.utils.ZookeeperFactory;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's ZooKeeper client and its dataset locks: one Curator client per JVM, one {@link
 * DatasetLock} per lock path.
 *
 * <p>Starting never blocks on ZooKeeper: the client connects in the background and each acquisition
 * waits for the connection within its own timeout. The client's settings go through {@link
 * ZKClientConfig}, never JVM-wide system properties, so a ZooKeeper client of the host service is
 * not affected.
 */
public final class LockService implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LockService.class);

  private final AgentConfig config;
  private final CuratorFramework client;
  private final ConcurrentHashMap<String, DatasetLock> locks = new ConcurrentHashMap<>();
  private final LongAdder waitNanos = new LongAdder();
  private final LongAdder lostLocks = new LongAdder();
  private final AtomicInteger callsInFlight = new AtomicInteger();
  private volatile String connectionState = "CONNECTING";
  private final Set<String> warnedForeign = ConcurrentHashMap.newKeySet();
  private volatile String processName; // pid@host, looked up at first use: JMX is slow to load
  // The holds of the guarded calls running on each thread, innermost last.
  private final ThreadLocal<ArrayDeque<HeldLock>> callStack =
      ThreadLocal.withInitial(ArrayDeque::new);

  private LockService(AgentConfig config) {
    this.config = config;
    CuratorFrameworkFactory.Builder builder =
        CuratorFrameworkFactory.builder()
            .connectString(config.connect())
            .sessionTimeoutMs(clampToInt(config.sessionTimeoutMillis()))
            .connectionTimeoutMs(clampToInt(config.connectionTimeoutMillis()))
            .retryPolicy(new BoundedExponentialBackoffRetry(100, 1000, 3))
            .threadFactory(new DaemonThreads("curator"))
            .zookeeperFactory(new NamedZooKeeperFactory());
    if (config.namespace() != null) {
      builder.namespace(config.namespace());
    }
    this.client = builder.build();
    client.getConnectionStateListenable().addListener((c, state) -> onConnectionState(state));
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
    return lock != null ? lock : locks.computeIfAbsent(path, p -> new DatasetLock(this, p));
  }

  HeldLock push(HeldLock held) {
    callStack.get().addLast(held);
    return held;
  }

  void pop(HeldLock held) {
    callStack.get().removeLastOccurrence(held);
  }

  /** The hold of the innermost guarded call on this thread, or null. */
  public HeldLock current() {
    return callStack.get().peekLast();
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

  /** The current ZooKeeper session id, or 0 while there is none. */
  long sessionId() {
    try {
      return client.getZookeeperClient().getZooKeeper().getSessionId();
    } catch (Exception e) {
      return 0;
    }
  }

  void callStarted() {
    callsInFlight.incrementAndGet();
  }

  void callEnded() {
    callsInFlight.decrementAndGet();
  }

  /** Guarded calls that are waiting for or holding a lock right now. */
  public int callsInFlight() {
    return callsInFlight.get();
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
    connectionState = state.name();
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

  /** Closes the session, so this JVM's lock nodes disappear at once. */
  @Override
  public void close() {
    client.close();
  }

  /**
   * Creates ZooKeeper handles from a thread named {@code deeplake-lock}, since ZooKeeper names its
   * I/O and event threads after the creating thread; and with SASL off unless configured, so a JAAS
   * file meant for the host service is not tried on our connection.
   */
  private static final class NamedZooKeeperFactory implements ZookeeperFactory {
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
      ZKClientConfig zkConfig = given != null ? given : new ZKClientConfig();
      zkConfig.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, "false");
      AtomicReference<Object> result = new AtomicReference<>();
      Thread creator =
          new Thread(
              () -> {
                try {
                  result.set(
                      new ZooKeeper(
                          connectString, sessionTimeout, watcher, canBeReadOnly, zkConfig));
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
