package io.deeplakelock.audit;

import io.deeplakelock.bridge.AuditBridge;
import io.deeplakelock.bridge.AuditHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * {@code mode: discover}: takes no locks and refuses nothing; records which methods of the service
 * change or read files under {@code audit.roots}, and how each finds its dataset.
 *
 * <p><b>Two passes.</b> A file operation under a root is charged to the service's entry method on
 * the stack (see {@link ServiceFrames#entry()}). The first time a method is charged, it is handed
 * to the agent to be instrumented; from then on each of its calls reports its receiver and
 * arguments, and the expressions that gave the touched file's dataset directory in every call are
 * kept.
 */
public final class Discovery implements AuditHandler {

  /** One instrumented call on a thread's stack. */
  private static final class Call {
    final Candidate candidate;
    final Object self;
    final Object[] args;
    final List<String> datasetsCompared = new ArrayList<>(1);

    Call(Candidate candidate, Object self, Object[] args) {
      this.candidate = candidate;
      this.self = self;
      this.args = args;
    }
  }

  private static final String AGENT_THREADS = "deeplake-lock-";

  private final DatasetDirs dirs;
  private final List<String> writtenRoots;
  private final String jvm;
  private final ExpressionFinder finder;
  private final BiConsumer<String, String> instrument;
  private final Map<String, Finding> findings = new ConcurrentHashMap<>();
  private final Set<String> requested = ConcurrentHashMap.newKeySet();
  private final Map<Integer, Candidate> candidates = new ConcurrentHashMap<>();
  private final AtomicInteger nextCandidate = new AtomicInteger();
  private final ThreadLocal<ArrayList<Call>> calls =
      ThreadLocal.withInitial(() -> new ArrayList<Call>());

  /**
   * @param canonical a dataset value's canonical form, as lock paths compute it (null if none)
   * @param instrument asked (at most once each) to instrument a class's methods of one name
   */
  public Discovery(
      DatasetDirs dirs,
      List<String> writtenRoots,
      String jvm,
      Function<String, String> canonical,
      BiConsumer<String, String> instrument) {
    this.dirs = dirs;
    this.writtenRoots = writtenRoots;
    this.jvm = jvm;
    this.finder = new ExpressionFinder(canonical);
    this.instrument = instrument;
  }

  /** Registers a method the second pass instruments; returns the id its advice is bound to. */
  public int register(
      String className, String method, String descriptor, String parameters, int overloads) {
    int id = nextCandidate.getAndIncrement();
    candidates.put(id, new Candidate(id, className, method, descriptor, parameters, overloads));
    return id;
  }

  @Override
  public boolean concerns(Object file) {
    return dirs.mayHold(file);
  }

  @Override
  public void check(Object file, int operation) {
    String canonical = dirs.canonical(file);
    String dataset = canonical == null ? null : dirs.datasetOf(canonical);
    if (dataset == null || Thread.currentThread().getName().startsWith(AGENT_THREADS)) {
      return;
    }
    StackTraceElement entry = ServiceFrames.current().entry();
    if (entry == null) {
      return;
    }
    boolean write = AuditBridge.changes(operation);
    Call call = outermostCall(entry.getClassName(), entry.getMethodName());
    if (call == null) {
      String key = entry.getClassName() + "#" + entry.getMethodName();
      findings
          .computeIfAbsent(
              key + "#" + Finding.UNSEEN,
              k -> new Finding(jvm, entry.getClassName(), entry.getMethodName()))
          .saw(write, dataset);
      if (requested.add(key)) {
        instrument.accept(entry.getClassName(), entry.getMethodName());
      }
      return;
    }
    Candidate c = call.candidate;
    Finding finding =
        findings.computeIfAbsent(
            c.className + "#" + c.method + "#" + c.descriptor,
            k -> {
              Finding f = new Finding(jvm, c.className, c.method);
              f.descriptor = c.descriptor;
              f.parameters = c.parameters;
              f.overloads = c.overloads;
              return f;
            });
    finding.saw(write, dataset);
    if (!call.datasetsCompared.contains(dataset)) {
      call.datasetsCompared.add(dataset);
      finding.matched(finder.find(call.self, call.args, dataset));
    }
  }

  private Call outermostCall(String className, String method) {
    for (Call call : calls.get()) {
      if (call.candidate.className.equals(className) && call.candidate.method.equals(method)) {
        return call;
      }
    }
    return null;
  }

  @Override
  public Object enter(int candidate, Object self, Object[] args) {
    Candidate c = candidates.get(candidate);
    if (c == null) {
      return null;
    }
    ArrayList<Call> stack = calls.get();
    Call call = new Call(c, self, args);
    stack.add(call);
    return call;
  }

  @Override
  public void leave(Object entered) {
    ArrayList<Call> stack = calls.get();
    for (int i = stack.size() - 1; i >= 0; i--) {
      if (stack.get(i) == entered) {
        while (stack.size() > i) {
          stack.remove(stack.size() - 1);
        }
        return;
      }
    }
  }

  /**
   * Methods found by an earlier run (from the findings file), to be instrumented from the start:
   * what ran only once in that run is explained in this one.
   */
  public static List<String[]> earlierMethods(java.nio.file.Path draft) {
    List<String[]> out = new ArrayList<>();
    java.nio.file.Path pool = draft.resolveSibling(draft.getFileName() + ".findings");
    try {
      for (String line : java.nio.file.Files.readAllLines(pool)) {
        Finding f = Finding.fromLine(line);
        if (f != null) {
          out.add(new String[] {f.className, f.method});
        }
      }
    } catch (java.io.IOException e) {
      // no earlier run
    }
    return out;
  }

  /** What this JVM found so far. */
  public List<Finding> findings() {
    return new ArrayList<>(findings.values());
  }

  /** The roots watched, as the rules file wrote them (the draft keeps them so). */
  public List<String> roots() {
    return writtenRoots;
  }

  /** This JVM's name in the findings file. */
  public String jvm() {
    return jvm;
  }
}
