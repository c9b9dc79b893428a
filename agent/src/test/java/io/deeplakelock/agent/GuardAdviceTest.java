package io.deeplakelock.agent;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.bridge.DatasetLockException;
import io.deeplakelock.bridge.HeldLockInfo;
import io.deeplakelock.bridge.LockBridge;
import io.deeplakelock.bridge.LockHandler;
import io.deeplakelock.bridge.LockLostException;
import io.deeplakelock.rules.CallInput;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Unit tests for {@link GuardAdvice}, woven into a sample class without an agent. */
class GuardAdviceTest {

  private static final int RULE = 7;
  private static final int STATIC_RULE = 3;

  /** What the redefined sample offers, seen through a type both class loaders share. */
  public interface Api {
    String write(String path, int count);

    int size();

    long total(long a, long b);

    double ratio(double x);

    boolean negate(boolean value);

    char initial(String text);

    void touch(Object anything);

    int[] pair(int a, int b);

    String outer(String path);

    String inner(String path);

    String rethrow(Exception e) throws Exception;

    String crash(Error e);

    String unguarded(String path);
  }

  /** The class to guard. It records its body runs in the list it shares with the handler. */
  public static final class Sample implements Api {
    private final List<String> events;

    public Sample(List<String> events) {
      this.events = events;
    }

    @Override
    public String write(String path, int count) {
      events.add("body:write");
      return path + "#" + count;
    }

    @Override
    public int size() {
      events.add("body:size");
      return 42;
    }

    @Override
    public long total(long a, long b) {
      events.add("body:total");
      return a + b;
    }

    @Override
    public double ratio(double x) {
      events.add("body:ratio");
      return x / 4;
    }

    @Override
    public boolean negate(boolean value) {
      events.add("body:negate");
      return !value;
    }

    @Override
    public char initial(String text) {
      events.add("body:initial");
      return text.charAt(0);
    }

    @Override
    public void touch(Object anything) {
      events.add("body:touch");
    }

    @Override
    public int[] pair(int a, int b) {
      events.add("body:pair");
      return new int[] {a, b};
    }

    @Override
    public String outer(String path) {
      events.add("body:outer");
      return inner(path + "/inner") + "!";
    }

    @Override
    public String inner(String path) {
      events.add("body:inner");
      return path;
    }

    @Override
    public String rethrow(Exception e) throws Exception {
      events.add("body:rethrow");
      throw e;
    }

    @Override
    public String crash(Error e) {
      events.add("body:crash");
      throw e;
    }

    @Override
    public String unguarded(String path) {
      events.add("body:unguarded");
      return path;
    }

    public static String create(List<String> events, String path) {
      events.add("body:create");
      return "created " + path;
    }
  }

  private static Class<?> woven;
  private static Class<?> wovenByInput;

  private final List<String> events = Collections.synchronizedList(new ArrayList<>());
  private final RecordingHandler handler = new RecordingHandler(events);
  private Api sample;

  @BeforeAll
  static void weave() {
    // The same construction as the agent's GuardTransformer: one Advice per rule, its id bound.
    Advice guard = Advice.withCustomMapping().bind(RuleId.class, RULE).to(GuardAdvice.class);
    Advice guardStatic =
        Advice.withCustomMapping().bind(RuleId.class, STATIC_RULE).to(GuardAdvice.class);
    woven =
        new ByteBuddy()
            .redefine(Sample.class)
            .visit(
                guard.on(
                    namedOneOf(
                        "write", "size", "total", "ratio", "negate", "initial", "touch", "pair",
                        "outer", "inner", "rethrow", "crash")))
            .visit(guardStatic.on(named("create")))
            .make()
            .load(GuardAdviceTest.class.getClassLoader(), ClassLoadingStrategy.Default.CHILD_FIRST)
            .getLoaded();
    // As GuardTransformer weaves rules that read one value of the call (or none).
    wovenByInput =
        new ByteBuddy()
            .redefine(Sample.class)
            .visit(byInput(RULE, CallInput.argument(0)).on(namedOneOf("write", "rethrow")))
            .visit(byInput(RULE, CallInput.argument(1)).on(named("total")))
            .visit(byInput(RULE, CallInput.NONE).on(named("size")))
            .visit(byInput(RULE, CallInput.THIS).on(namedOneOf("outer", "inner")))
            .visit(byInput(STATIC_RULE, CallInput.THIS).on(named("create")))
            .make()
            .load(GuardAdviceTest.class.getClassLoader(), ClassLoadingStrategy.Default.CHILD_FIRST)
            .getLoaded();
  }

  private static Advice byInput(int rule, CallInput input) {
    return Advice.withCustomMapping()
        .bind(RuleId.class, rule)
        .bind(new GuardInputBinding(input))
        .to(InputGuardAdvice.class, GuardAdvice.class);
  }

  private Api byInput() throws ReflectiveOperationException {
    return (Api) wovenByInput.getConstructor(List.class).newInstance(events);
  }

  @BeforeEach
  void install() throws ReflectiveOperationException {
    LockBridge.install(handler);
    sample = (Api) woven.getConstructor(List.class).newInstance(events);
  }

  @AfterEach
  void uninstall() {
    LockBridge.install(null);
  }

  @Test
  void sampleWasReallyRedefined() {
    assertNotSame(Sample.class, woven);
    assertEquals(Sample.class.getName(), woven.getName());
    assertNotSame(Sample.class.getClassLoader(), woven.getClassLoader());

    sample.write("/data/ds", 1);

    assertEquals(1, handler.calls.size(), "the advice must have been woven in");
  }

  @Test
  void enterGetsRuleIdOriginMethodReceiverAndArguments() {
    String result = sample.write("/data/ds", 3);

    assertEquals("/data/ds#3", result);
    Call call = handler.calls.get(0);
    assertEquals(RULE, call.ruleId);
    assertSame(woven, call.origin);
    assertEquals("write", call.method);
    assertSame(sample, call.self);
    assertArrayEquals(new Object[] {"/data/ds", 3}, call.args);
    assertEquals(List.of("enter:write", "body:write", "exit:write"), events);
  }

  @Test
  void releaseHappensOnceAfterTheBodyReturns() {
    sample.write("/data/ds", 1);
    sample.write("/data/ds", 2);

    assertEquals(
        List.of(
            "enter:write", "body:write", "exit:write", "enter:write", "body:write", "exit:write"),
        events);
  }

  @Test
  void primitiveReturnValuesAndArgumentsAreUnchanged() {
    assertEquals(42, sample.size());
    assertEquals(Long.MAX_VALUE, sample.total(Long.MAX_VALUE - 1, 1L));
    assertEquals(0.625, sample.ratio(2.5));
    assertTrue(sample.negate(false));
    assertEquals('x', sample.initial("xyz"));
    assertArrayEquals(new int[] {1, 2}, sample.pair(1, 2));
    sample.touch(null);

    assertEquals(0, handler.calls.get(0).args.length);
    assertArrayEquals(new Object[] {Long.MAX_VALUE - 1, 1L}, handler.calls.get(1).args);
    assertArrayEquals(new Object[] {2.5}, handler.calls.get(2).args);
    assertArrayEquals(new Object[] {false}, handler.calls.get(3).args);
    assertArrayEquals(new Object[] {null}, handler.calls.get(6).args);
    assertEquals(7, handler.releases());
  }

  @Test
  void applicationExceptionReachesCallerUnchangedAfterRelease() {
    IOException thrown = new IOException("disk full");

    Exception caught = assertThrows(Exception.class, () -> sample.rethrow(thrown));

    assertSame(thrown, caught);
    assertEquals(0, caught.getSuppressed().length);
    assertEquals(List.of("enter:rethrow", "body:rethrow", "exit:rethrow"), events);
  }

  @Test
  void uncheckedExceptionAndErrorReachCallerUnchanged() {
    IllegalStateException unchecked = new IllegalStateException("bad row");
    AssertionError error = new AssertionError("corrupt chunk");

    assertSame(
        unchecked, assertThrows(IllegalStateException.class, () -> sample.rethrow(unchecked)));
    assertSame(error, assertThrows(AssertionError.class, () -> sample.crash(error)));

    assertEquals(
        List.of(
            "enter:rethrow",
            "body:rethrow",
            "exit:rethrow",
            "enter:crash",
            "body:crash",
            "exit:crash"),
        events);
  }

  @Test
  void lockLostWhileBodyThrewIsSuppressedAndTheBodysExceptionWins() {
    LockLostException lost = new LockLostException("lost");
    handler.closeFailure = lost;
    IOException thrown = new IOException("disk full");

    Exception caught = assertThrows(Exception.class, () -> sample.rethrow(thrown));

    assertSame(thrown, caught);
    assertArrayEquals(new Throwable[] {lost}, caught.getSuppressed());
    assertEquals(1, handler.releases());
  }

  @Test
  void lockLostAfterBodyReturnedIsThrownToTheCaller() {
    LockLostException lost = new LockLostException("lost");
    handler.closeFailure = lost;

    assertSame(lost, assertThrows(LockLostException.class, () -> sample.write("/data/ds", 1)));
    assertEquals(List.of("enter:write", "body:write", "exit:write"), events);
  }

  @Test
  void unexpectedReleaseFailureNeverDisturbsTheOutcome() {
    IllegalStateException bug = new IllegalStateException("handler bug");
    handler.closeFailure = bug;

    assertEquals("/data/ds#1", sample.write("/data/ds", 1));

    IOException thrown = new IOException("disk full");
    Exception caught = assertThrows(Exception.class, () -> sample.rethrow(thrown));
    assertSame(thrown, caught);
    assertArrayEquals(new Throwable[] {bug}, caught.getSuppressed());
  }

  @Test
  void refusedLockMeansTheBodyNeverRuns() {
    DatasetLockException refused = new DatasetLockException("timed out");
    handler.enterFailure = refused;

    assertSame(refused, assertThrows(DatasetLockException.class, () -> sample.write("/x", 1)));

    assertEquals(List.of("enter:write"), events);
    assertEquals(0, handler.releases());
  }

  @Test
  void noHandlerMeansEveryGuardedCallFailsClosed() {
    LockBridge.install(null);

    DatasetLockException e =
        assertThrows(DatasetLockException.class, () -> sample.write("/data/ds", 1));

    assertTrue(e.getMessage().contains("not running"), e.getMessage());
    assertEquals(List.of(), events);
  }

  @Test
  void unlockedCallRunsTheBody() {
    handler.unlocked = true;

    assertEquals("/data/ds#1", sample.write("/data/ds", 1));

    assertEquals(List.of("enter:write", "body:write"), events);
  }

  @Test
  void staticMethodGetsNullReceiverAndItsOwnRuleId() throws Exception {
    Method create = woven.getMethod("create", List.class, String.class);

    Object result = invoke(create, null, events, "/data/new");

    assertEquals("created /data/new", result);
    Call call = handler.calls.get(0);
    assertEquals(STATIC_RULE, call.ruleId);
    assertSame(woven, call.origin);
    assertEquals("create", call.method);
    assertNull(call.self);
    assertArrayEquals(new Object[] {events, "/data/new"}, call.args);
    assertEquals(List.of("enter:create", "body:create", "exit:create"), events);
  }

  @Test
  void nestedGuardedCallsEnterAndExitInLifoOrder() {
    assertEquals("/data/ds/inner!", sample.outer("/data/ds"));

    assertEquals(
        List.of(
            "enter:outer", "body:outer", "enter:inner", "body:inner", "exit:inner", "exit:outer"),
        events);
  }

  @Test
  void methodsNoRuleNamesAreNotGuarded() {
    assertEquals("/data/ds", sample.unguarded("/data/ds"));

    assertEquals(List.of("body:unguarded"), events);
    assertTrue(handler.calls.isEmpty());
  }

  @Test
  void refusedInnerLockStillReleasesTheOuterLock() {
    handler.enterFailureFor = "inner";
    handler.enterFailure = new DatasetLockException("inner refused");

    assertThrows(DatasetLockException.class, () -> sample.outer("/data/ds"));

    assertEquals(List.of("enter:outer", "body:outer", "enter:inner", "exit:outer"), events);
  }

  @Test
  void inputAdvicePassesOnlyTheArgumentTheRuleReads() throws Exception {
    Api api = byInput();

    assertEquals("/data/ds#3", api.write("/data/ds", 3));
    assertEquals(12L, api.total(5L, 7L));

    Call write = handler.calls.get(0);
    assertEquals(RULE, write.ruleId);
    assertSame(wovenByInput, write.origin);
    assertEquals("write", write.method);
    assertEquals("/data/ds", write.self);
    assertNull(write.args, "no argument array");
    assertEquals(7L, handler.calls.get(1).self, "a primitive argument arrives boxed");
    assertEquals(
        List.of(
            "enter:write", "body:write", "exit:write", "enter:total", "body:total", "exit:total"),
        events);
  }

  @Test
  void inputAdvicePassesTheReceiverOrNothing() throws Exception {
    Api api = byInput();

    assertEquals(42, api.size());
    assertEquals("/data/ds/inner!", api.outer("/data/ds"));
    Object created =
        invoke(wovenByInput.getMethod("create", List.class, String.class), null, events, "/x");

    assertEquals("created /x", created);
    assertNull(handler.calls.get(0).self, "a rule that reads nothing gets null");
    assertSame(api, handler.calls.get(1).self);
    assertSame(api, handler.calls.get(2).self);
    assertEquals(STATIC_RULE, handler.calls.get(3).ruleId);
    assertNull(handler.calls.get(3).self, "a static method has no receiver");
    assertEquals(4, handler.releases());
  }

  @Test
  void inputAdviceReleasesOnThrowAndFailsClosed() throws Exception {
    Api api = byInput();
    IOException thrown = new IOException("disk full");

    assertSame(thrown, assertThrows(IOException.class, () -> api.rethrow(thrown)));
    assertEquals(List.of("enter:rethrow", "body:rethrow", "exit:rethrow"), events);

    LockBridge.install(null);
    events.clear();
    DatasetLockException e =
        assertThrows(DatasetLockException.class, () -> api.write("/data/ds", 1));
    assertTrue(e.getMessage().contains("not running"), e.getMessage());
    assertEquals(List.of(), events);
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static Object invoke(Method method, Object target, Object... args) throws Exception {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof Exception) {
        throw (Exception) e.getCause();
      }
      throw e;
    }
  }

  /** One call of {@link LockHandler#enter}, as the advice made it. */
  private static final class Call {
    final int ruleId;
    final Class<?> origin;
    final String method;
    final Object self;
    final Object[] args;

    Call(int ruleId, Class<?> origin, String method, Object self, Object[] args) {
      this.ruleId = ruleId;
      this.origin = origin;
      this.method = method;
      this.self = self;
      this.args = args;
    }
  }

  /** A lock handler that records what the advice asks and releases, and fails when told to. */
  private static final class RecordingHandler implements LockHandler {
    final List<String> events;
    final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
    volatile RuntimeException enterFailure;
    volatile String enterFailureFor;
    volatile RuntimeException closeFailure;
    volatile boolean unlocked;

    RecordingHandler(List<String> events) {
      this.events = events;
    }

    @Override
    public AutoCloseable enter(
        int ruleId, Class<?> origin, String method, Object self, Object[] args) {
      return record(new Call(ruleId, origin, method, self, args.clone()));
    }

    /** From {@link InputGuardAdvice}: recorded with the one value as {@code self}, no array. */
    @Override
    public AutoCloseable enter(int ruleId, Class<?> origin, String method, Object input) {
      return record(new Call(ruleId, origin, method, input, null));
    }

    private AutoCloseable record(Call call) {
      String method = call.method;
      calls.add(call);
      events.add("enter:" + method);
      if (enterFailure != null && (enterFailureFor == null || enterFailureFor.equals(method))) {
        throw enterFailure;
      }
      if (unlocked) {
        return null;
      }
      return () -> {
        events.add("exit:" + method);
        if (closeFailure != null) {
          throw closeFailure;
        }
      };
    }

    int releases() {
      int n = 0;
      synchronized (events) {
        for (String e : events) {
          if (e.startsWith("exit:")) {
            n++;
          }
        }
      }
      return n;
    }

    @Override
    public HeldLockInfo current() {
      return null;
    }

    @Override
    public long totalWaitNanos() {
      return 0;
    }
  }
}
