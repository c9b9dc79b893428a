package io.deeplakelock.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.Unshaded;
import io.deeplakelock.bridge.DatasetLockException;
import io.deeplakelock.bridge.DatasetLocks;
import io.deeplakelock.bridge.HeldLockInfo;
import io.deeplakelock.bridge.LockBridge;
import io.deeplakelock.bridge.LockHandler;
import io.deeplakelock.bridge.LockMode;
import io.deeplakelock.lock.LockPath;
import io.deeplakelock.lock.LockService;
import io.deeplakelock.rules.AgentConfig;
import io.deeplakelock.rules.RuleFile;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Integration tests (against a ZooKeeper of their own) for {@link GuardedCalls} behind the advice
 * {@link GuardTransformer} chooses per rule: a class woven by the agent's own transformer, calls
 * locking through a real lock service.
 */
@Unshaded
class GuardedCallsIT {

  private static final Path WORKING_DIRECTORY = Paths.get("/");

  /** The class the rules name; each body records the lock it runs under. */
  public static final class Store {
    public static final List<HeldLockInfo> seen = Collections.synchronizedList(new ArrayList<>());
    public final String path;
    public int reloads;

    public Store(String path) {
      this.path = path;
    }

    public void append(String dataset, int rows) {
      seen.add(DatasetLocks.current());
    }

    public void search(String query) {
      seen.add(DatasetLocks.current());
    }

    public void merge(String into, String from) {
      seen.add(DatasetLocks.current());
    }

    public void compact() {
      seen.add(DatasetLocks.current());
    }

    public void reload() {
      reloads++;
    }

    public static void create(String dataset) {
      seen.add(DatasetLocks.current());
    }
  }

  private static final String RULES =
      "  - {name: by-argument, class: %1$s, methods: [append, create], lock: write,"
          + " dataset: arg0}\n"
          + "  - {name: by-receiver, class: %1$s, methods: [search], lock: read,"
          + " dataset: this.path, afterAcquire: this.reload()}\n"
          + "  - {name: by-both, class: %1$s, methods: [merge], lock: write,"
          + " dataset: '${arg0}+${arg1}'}\n"
          + "  - {name: out-of-range, class: %1$s, methods: [compact], lock: write,"
          + " dataset: arg1}\n";

  private static TestingServer server;
  private static AgentConfig config;
  private static LockService service;
  private static Class<?> woven;

  /** Which bridge entry each call took: the one-value entry, or the one with every argument. */
  private final List<String> entries = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void start() throws Exception {
    server = new TestingServer();
    config =
        RuleFile.parse(
            "t.yaml",
            "zookeeper:\n  connect: \""
                + server.getConnectString()
                + "\"\nrules:\n"
                + String.format(RULES, Store.class.getName().replace('$', '.')),
            n -> null);
    service = LockService.start(config);
    assertTrue(service.client().blockUntilConnected(30, TimeUnit.SECONDS));
    GuardTransformer transformer = new GuardTransformer(config.rules(), new Conflicts());
    woven =
        transformer
            .transform(
                new ByteBuddy().redefine(Store.class),
                TypeDescription.ForLoadedType.of(Store.class),
                GuardedCallsIT.class.getClassLoader(),
                null,
                null)
            .make()
            .load(GuardedCallsIT.class.getClassLoader(), ClassLoadingStrategy.Default.CHILD_FIRST)
            .getLoaded();
    assertEquals(5, transformer.instrumentedMethods());
  }

  @AfterAll
  static void stop() throws Exception {
    service.close();
    server.close();
  }

  @BeforeEach
  void install() {
    GuardedCalls calls = new GuardedCalls(config, service, new Conflicts(), WORKING_DIRECTORY);
    LockBridge.install(new EntrySpy(calls, entries));
    seen().clear();
  }

  @AfterEach
  void uninstall() {
    LockBridge.install(null);
  }

  @Test
  void aRuleThatReadsOneArgumentGetsOnlyThatArgument() throws Exception {
    Object store = store("/data/self");

    woven.getMethod("append", String.class, int.class).invoke(store, "/data/ds", 3);
    woven.getMethod("create", String.class).invoke(null, "/data/new");

    assertEquals(List.of("one value", "one value"), entries);
    assertHeld(0, "/data/ds", LockMode.WRITE);
    assertHeld(1, "/data/new", LockMode.WRITE);
  }

  @Test
  void aRuleThatReadsTheReceiverGetsItAndItsAfterAcquireRuns() throws Exception {
    Object store = store("/data/self");

    woven.getMethod("search", String.class).invoke(store, "q");

    assertEquals(List.of("one value"), entries);
    assertHeld(0, "/data/self", LockMode.READ);
    assertEquals(1, woven.getField("reloads").getInt(store));
  }

  @Test
  void aRuleThatReadsTwoArgumentsGetsThemAll() throws Exception {
    woven.getMethod("merge", String.class, String.class).invoke(store("/s"), "/data/a", "b");

    assertEquals(List.of("every argument"), entries);
    assertHeld(0, "/data/a+b", LockMode.WRITE);
  }

  @Test
  void anArgumentTheMethodLacksIsRefusedAtTheCallAsBefore() throws Exception {
    Object store = store("/s");

    Throwable e =
        assertThrows(
                java.lang.reflect.InvocationTargetException.class,
                () -> woven.getMethod("compact").invoke(store))
            .getCause();

    assertTrue(e instanceof DatasetLockException, String.valueOf(e));
    assertTrue(e.getMessage().contains("'arg1' is out of range"), e.getMessage());
    assertEquals(List.of("every argument"), entries);
    assertTrue(seen().isEmpty(), "the body must not run");
  }

  @Test
  void callsOnOneDatasetUseOneLockFromTheServicesTable() throws Exception {
    Object store = store("/data/self");
    for (int i = 0; i < 3; i++) {
      woven.getMethod("append", String.class, int.class).invoke(store, "/data/ds", i);
    }

    String path = LockPath.forDataset(config.root(), "/data/ds", WORKING_DIRECTORY);
    assertSame(service.lock(path), service.locks().get(path));
    assertEquals(3, service.lock(path).stats().acquisitions());
  }

  private void assertHeld(int call, String dataset, LockMode mode) {
    HeldLockInfo held = seen().get(call);
    assertNotNull(held, "call " + call + " ran without a lock");
    assertEquals(dataset, held.dataset());
    assertEquals(LockPath.forDataset(config.root(), dataset, WORKING_DIRECTORY), held.lockPath());
    assertEquals(mode, held.mode());
  }

  private static Object store(String path) throws ReflectiveOperationException {
    return woven.getConstructor(String.class).newInstance(path);
  }

  @SuppressWarnings("unchecked")
  private static List<HeldLockInfo> seen() {
    try {
      return (List<HeldLockInfo>) woven.getField("seen").get(null);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  /** Passes every call on to the real handler, noting which bridge entry the advice used. */
  private static final class EntrySpy implements LockHandler {
    private final LockHandler real;
    private final List<String> entries;

    EntrySpy(LockHandler real, List<String> entries) {
      this.real = real;
      this.entries = entries;
    }

    @Override
    public AutoCloseable enter(
        int ruleId, Class<?> origin, String method, Object self, Object[] args) {
      entries.add("every argument");
      return real.enter(ruleId, origin, method, self, args);
    }

    @Override
    public AutoCloseable enter(int ruleId, Class<?> origin, String method, Object input) {
      entries.add("one value");
      return real.enter(ruleId, origin, method, input);
    }

    @Override
    public HeldLockInfo current() {
      return real.current();
    }

    @Override
    public long totalWaitNanos() {
      return real.totalWaitNanos();
    }
  }
}
