package io.deeplakelock.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.deeplakelock.Unshaded;
import io.deeplakelock.bridge.LockLostException;
import io.deeplakelock.bridge.LockMode;
import io.deeplakelock.rules.LockPolicy;
import io.deeplakelock.rules.RuleFile;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Integration tests (against a ZooKeeper of their own) for {@link LockTable}'s invariants through
 * {@link LockService}: bounded (T3), only idle locks evicted (T2), one live lock per path however
 * callers race with eviction (T1).
 */
@Unshaded
class LockTableIT {

  private static final int CAPACITY = 8;
  private static final long WAIT_SECONDS = LockHolder.WAIT_SECONDS;
  private static final Path DIRECTORY = Paths.get("/");

  @AutoClose private static final TestingServer server = startServer();

  // Closed last first: holders stop before the services they use close.
  private final Deque<AutoCloseable> cleanUp = new ArrayDeque<>();

  private static TestingServer startServer() {
    try {
      return new TestingServer();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start ZooKeeper", e);
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    while (!cleanUp.isEmpty()) {
      cleanUp.pop().close();
    }
  }

  @Test
  void idleLocksBeyondTheCapacityAreEvicted() throws Exception {
    LockService service = start("0ms");
    for (int i = 0; i < 10 * CAPACITY; i++) {
      service.lock(path("idle-" + i)).acquire(call(LockMode.WRITE)).close();
      assertTrue(
          service.locks().size() <= CAPACITY + CAPACITY / 4,
          "after " + (i + 1) + " paths the table holds " + service.locks().size());
    }
    assertTrue(service.locks().size() >= CAPACITY / 2, "it keeps idle locks up to its bound");
  }

  @Test
  void datasetsMemoisedAreBoundedToo() throws Exception {
    LockService service = start("0ms");
    AtomicInteger told = new AtomicInteger();
    for (int i = 0; i < 10 * CAPACITY; i++) {
      DatasetLock lock = service.lockForDataset("/data/ds-" + i, DIRECTORY, d -> told.get());
      assertSame(lock, service.lockForDataset("/data/ds-" + i, DIRECTORY, d -> fail(d)));
    }
    assertTrue(service.locks().size() <= CAPACITY + CAPACITY / 4, "" + service.locks().size());
    // Datasets evicted with their locks are resolved (and reported) afresh, to the live lock.
    List<String> again = Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < 10 * CAPACITY; i++) {
      String dataset = "/data/ds-" + i;
      DatasetLock lock = service.lockForDataset(dataset, DIRECTORY, again::add);
      assertSame(service.lock(LockPath.forDataset("/deeplake", dataset, DIRECTORY)), lock);
    }
    assertFalse(again.isEmpty(), "some datasets were evicted");
  }

  @Test
  void heldQueuedAndKeptLocksAreNeverEvicted() throws Exception {
    LockService service = start("1s"); // a released write node is kept a second
    LockService other = start("0ms");
    DatasetLock held = service.lock(path("held"));
    hold(held, "holder");
    DatasetLock queued = service.lock(path("queued"));
    hold(other.lock(path("queued")), "other-jvm");
    LockHolder waiter = hold(queued, "waiter", false);
    // No event announces it: the engine's state is polled, bounded.
    LockNodes.awaitTrue("the waiter never queued", () -> !queued.waiters().isEmpty());
    DatasetLock kept = service.lock(path("kept"));
    kept.acquire(call(LockMode.WRITE)).close();
    assertFalse(kept.holders().isEmpty(), "linger keeps the node");

    for (int i = 0; i < 10 * CAPACITY; i++) {
      service.lock(path("idle-" + i)); // never used: idle at once
    }

    assertTrue(service.locks().size() <= CAPACITY + CAPACITY / 4, "" + service.locks().size());
    assertSame(held, service.lock(path("held")));
    assertSame(queued, service.lock(path("queued")));
    assertSame(kept, service.lock(path("kept")));
    assertFalse(held.retired() || queued.retired() || kept.retired());
    waiter.assertStaysBlocked();
  }

  @Test
  @SuppressWarnings("try") // the holds matter, not their names
  void aCallerThatKeptAnEvictedLockGoesToThePathsCurrentLock() throws Exception {
    LockService service = start("0ms");
    DatasetLock stale = service.lock(path("stale"));
    stale.used = false;
    for (int i = 0; i < 10 * CAPACITY && !stale.retired(); i++) {
      service.lock(path("idle-" + i));
    }
    assertTrue(stale.retired(), "an idle lock, not used since the last sweep, is evicted");

    try (HeldLock h = stale.acquire(call(LockMode.WRITE))) {
      DatasetLock current = service.lock(path("stale"));
      assertNotSame(stale, current);
      assertFalse(current.holders().isEmpty(), "the hold is on the current lock");
      assertTrue(stale.holders().isEmpty(), "the retired lock takes no hold");
      // Re-entry through either reference finds the hold this thread has.
      try (HeldLock nested = stale.acquire(call(LockMode.WRITE));
          HeldLock nested2 = current.acquire(call(LockMode.READ))) {
        assertEquals(1, current.stats().acquisitions());
      }
    }
  }

  /**
   * Threads take read and write locks on more paths than the table keeps, half the time through a
   * reference taken long before (which eviction may have retired), while the table evicts: no two
   * threads may ever run under conflicting locks of one path, and no path may have two live lock
   * objects.
   */
  @Test
  void aLockWhoseNodeIsStillOnItsWayOutIsNotEvicted() throws Exception {
    LockService service = start("0ms");
    DatasetLock leaving = service.lock(path("leaving"));
    HeldLock held = leaving.acquire(call(LockMode.WRITE));
    server.stop(); // the delete of the released node cannot be answered until ZooKeeper is back
    try {
      try {
        held.close(); // waits at most the connection timeout, then reports the outcome unknown
      } catch (LockLostException expected) {
        // the node's fate is unconfirmed while ZooKeeper is away: that is not what is tested here
      }
      assertTrue(leaving.holders().isEmpty() && leaving.waiters().isEmpty(), "no call uses it");

      for (int i = 0; i < 10 * CAPACITY; i++) {
        service.lock(path("idle-" + i)); // never used: idle at once; sweeps run
      }

      assertFalse(leaving.retired(), "its node is not gone yet: the lock must stay to see it go");
      assertSame(leaving, service.lock(path("leaving")));
    } finally {
      server.restart();
    }
  }

  @Test
  @SuppressWarnings("try")
  void exclusionHoldsWhileLocksAreEvictedUnderConcurrency() throws Exception {
    LockService service = start("0ms");
    int paths = 3 * CAPACITY;
    int threads = 8;
    int callsPerThread = 150;
    Map<String, AtomicInteger> writers = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> readers = new ConcurrentHashMap<>();
    Set<DatasetLock> seen =
        Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
    DatasetLock[] early = new DatasetLock[paths];
    for (int p = 0; p < paths; p++) {
      early[p] = service.lock(path("p" + p));
      writers.put(path("p" + p), new AtomicInteger());
      readers.put(path("p" + p), new AtomicInteger());
    }
    AtomicReference<String> violation = new AtomicReference<>();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < threads; t++) {
      Thread worker =
          new Thread(
              () -> {
                try {
                  go.await();
                  ThreadLocalRandom random = ThreadLocalRandom.current();
                  for (int i = 0; i < callsPerThread; i++) {
                    int p = random.nextInt(paths);
                    String path = path("p" + p);
                    DatasetLock lock = random.nextBoolean() ? early[p] : service.lock(path);
                    seen.add(lock);
                    boolean write = random.nextInt(3) == 0;
                    try (HeldLock h = lock.acquire(call(write ? LockMode.WRITE : LockMode.READ))) {
                      AtomicInteger mine = write ? writers.get(path) : readers.get(path);
                      int now = mine.incrementAndGet();
                      int others = write ? readers.get(path).get() : writers.get(path).get();
                      if ((write && now != 1) || others != 0) {
                        violation.compareAndSet(
                            null, path + ": " + (write ? "writer" : "reader") + " overlapped");
                      }
                      if (lock.retired() && !lock.holders().isEmpty()) {
                        violation.compareAndSet(null, path + ": a retired lock took a hold");
                      }
                      Thread.yield();
                      mine.decrementAndGet();
                    }
                  }
                } catch (Throwable e) {
                  failures.add(e);
                }
              },
              "worker-" + t);
      worker.start();
      workers.add(worker);
    }
    go.countDown();
    for (Thread w : workers) {
      w.join(TimeUnit.SECONDS.toMillis(120));
      assertFalse(w.isAlive(), w.getName() + " is stuck");
    }
    assertEquals(List.of(), failures);
    assertEquals(null, violation.get());
    int retired = 0;
    Map<String, DatasetLock> live = new ConcurrentHashMap<>();
    synchronized (seen) {
      for (DatasetLock lock : seen) {
        if (lock.retired()) {
          retired++;
        } else {
          DatasetLock before = live.put(lock.path(), lock);
          assertTrue(before == null, "two live lock objects for " + lock.path());
        }
      }
    }
    assertTrue(retired > 0, "the run must have evicted locks in use earlier");
    for (DatasetLock lock : live.values()) {
      assertSame(lock, service.locks().get(lock.path()));
    }
  }

  // ---- helpers ------------------------------------------------------------------------------

  private LockService start(String linger) throws Exception {
    String yaml =
        "zookeeper:\n  connect: \""
            + server.getConnectString()
            + "\"\n  sessionTimeout: 10s\n  connectionTimeout: 5s\nlocks:\n  timeout: 10s\n"
            + "  linger: "
            + linger
            + "\nrules:\n  - {name: r, class: com.example.Dataset, methods: [append], lock: write,"
            + " dataset: arg0}\n";
    LockService service = LockService.start(RuleFile.parse("t.yaml", yaml, n -> null), CAPACITY);
    cleanUp.push(service);
    assertTrue(service.client().blockUntilConnected((int) WAIT_SECONDS, TimeUnit.SECONDS));
    return service;
  }

  private static String path(String name) {
    return "/deeplake/table-test/" + name;
  }

  private static LockCall call(LockMode mode) {
    LockPolicy policy =
        new LockPolicy(30_000, LockPolicy.OnTimeout.FAIL, true, LockPolicy.OnLockLost.THROW);
    return new LockCall("r", "Dataset.append", null, mode, policy);
  }

  private LockHolder hold(DatasetLock lock, String name) throws InterruptedException {
    return hold(lock, name, true);
  }

  private LockHolder hold(DatasetLock lock, String name, boolean await)
      throws InterruptedException {
    LockHolder h = LockHolder.start(lock, call(LockMode.WRITE), name);
    cleanUp.push(h::stopAndJoin);
    if (await) {
      h.awaitAcquired();
    }
    return h;
  }
}
