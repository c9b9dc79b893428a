package io.deeplakelock.lock;

import io.deeplakelock.bridge.HeldLockInfo;
import io.deeplakelock.rules.AgentConfig;
import io.deeplakelock.rules.ZooKeeperSecurity;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's dataset locks: one live {@link DatasetLock} per lock path, found through one bounded
 * {@link LockTable}, all on one ZooKeeper connection ({@link ZkConnection}) through one {@link
 * NodeStore}.
 *
 * <p>Starting never blocks on ZooKeeper: the client connects in the background and each acquisition
 * waits for the connection within its own timeout. Connection changes reach every lock's engine on
 * the ZooKeeper event thread, in order with the replies around them.
 */
public final class LockService implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LockService.class);

  private final AgentConfig config;
  private final ZkConnection connection;
  private final CuratorNodeStore store;
  private final TimerClock clock = new TimerClock();
  private final OtherProcesses otherProcesses = new OtherProcesses(); // shared by all engines
  private final LockTable locks;
  private final LongAdder waitNanos = new LongAdder();
  private final LongAdder lostLocks = new LongAdder();
  private final AtomicLong threadsSeen = new AtomicLong();
  private final ForeignFamilyWarnings foreignFamilies;
  private final int stripes = ReadShare.stripesFor(Runtime.getRuntime().availableProcessors());
  private volatile String processName; // pid@host, looked up at first use: JMX is slow to load
  // The guarded calls running on each thread, innermost last.
  private final ThreadLocal<CallFrames> frames =
      ThreadLocal.withInitial(
          () -> new CallFrames(CallFrames.stripe(threadsSeen.getAndIncrement())));

  private LockService(AgentConfig config, int capacity) {
    this.config = config;
    this.connection = new ZkConnection(config);
    this.store = new CuratorNodeStore(connection);
    this.foreignFamilies =
        new ForeignFamilyWarnings(config.protocol() == AgentConfig.Protocol.KAZOO, log::warn);
    this.locks = new LockTable(capacity, this::newLock);
    connection.addListener(
        live -> {
          for (DatasetLock lock : locks.values()) {
            lock.onConnection(live);
          }
        });
  }

  /** Creates the client and starts connecting in the background; returns at once. */
  public static LockService start(AgentConfig config) {
    return start(config, LockTable.DEFAULT_CAPACITY);
  }

  /**
   * As {@link #start(AgentConfig)}, keeping about {@code capacity} idle locks ({@link LockTable}).
   */
  static LockService start(AgentConfig config, int capacity) {
    LockService service = new LockService(config, capacity);
    service.connection.start();
    return service;
  }

  /**
   * The lock object for {@code path}: the same object while any call holds or waits for it, or this
   * JVM keeps a node on the path; an idle lock may be replaced by a fresh one ({@link LockTable}).
   */
  public DatasetLock lock(String path) {
    return locks.lock(path);
  }

  /**
   * The lock of {@code dataset}'s lock path under the configured root, as {@link #lock}; {@code
   * onNew} is told each dataset value not looked up before (or not since it was evicted).
   *
   * @throws IllegalArgumentException when {@code dataset} is not a valid dataset path
   */
  public DatasetLock lockForDataset(String dataset, Path workingDirectory, Consumer<String> onNew) {
    return locks.forDataset(dataset, config.root(), workingDirectory, onNew);
  }

  private DatasetLock newLock(String path) {
    LockCounters stats = new LockCounters();
    LockEngine.Settings settings =
        new LockEngine.Settings(
            config.coalesce(), TimeUnit.MILLISECONDS.toNanos(config.lingerMillis()), stripes);
    LockEngine engine =
        new LockEngine(path, store, clock, settings, stats, foreignFamilies, otherProcesses);
    return new DatasetLock(this, engine, stats, config.coalesce());
  }

  /** The guarded calls running on this thread. */
  public CallFrames frames() {
    return frames.get();
  }

  /** The lock of the innermost guarded call on this thread, or null. */
  public HeldLockInfo current() {
    return frames.get().currentInfo();
  }

  /** The locks this JVM keeps now, by path: those in use, and idle ones up to the table's bound. */
  public Map<String, DatasetLock> locks() {
    return locks.locks();
  }

  /** The last connection state Curator reported: CONNECTED, SUSPENDED, LOST, ... */
  public String connectionState() {
    return connection.connectionState();
  }

  public CuratorFramework client() {
    return connection.client();
  }

  public String connectString() {
    return config.connect();
  }

  CuratorNodeStore store() {
    return store;
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
    return connection.authProblem();
  }

  /** How long the end of a call waits for ZooKeeper to say whether its node survived. */
  long outcomePatienceNanos() {
    return connection.connectionTimeoutNanos();
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

  /** Closes the session, so this JVM's lock nodes disappear at once. */
  @Override
  public void close() {
    clock.close();
    store.close();
    connection.close();
  }
}
