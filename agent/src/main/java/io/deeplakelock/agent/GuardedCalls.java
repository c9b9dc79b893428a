package io.deeplakelock.agent;

import io.deeplakelock.bridge.DatasetLockException;
import io.deeplakelock.bridge.HeldLockInfo;
import io.deeplakelock.bridge.LockBridge;
import io.deeplakelock.bridge.LockHandler;
import io.deeplakelock.bridge.LockTimeoutException;
import io.deeplakelock.lock.CallFrames;
import io.deeplakelock.lock.DatasetLock;
import io.deeplakelock.lock.LockPath;
import io.deeplakelock.lock.LockService;
import io.deeplakelock.rules.AgentConfig;
import io.deeplakelock.rules.LockPolicy;
import io.deeplakelock.rules.RolloutMode;
import io.deeplakelock.rules.Rule;
import io.deeplakelock.rules.ValuePath;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's {@link LockHandler}: from a rule id and what the advice passes of the call to a held
 * dataset lock. Any failure on the way refuses the call with a {@link DatasetLockException}.
 *
 * <p>The advice passes either the receiver and every argument ({@link GuardAdvice}), or only the
 * one value the rule reads ({@link InputGuardAdvice}); below, {@code args == null} marks the second
 * form, with that value in {@code self}. The dataset's lock comes from the lock service's one table
 * ({@link LockService#lockForDataset}).
 */
final class GuardedCalls implements LockHandler {

  private static final Logger log = LoggerFactory.getLogger(GuardedCalls.class);
  // A constant, so that passing it allocates nothing.
  private static final Consumer<String> TELL_AUDIT = AuditWeaving::datasetLocked;

  private volatile GuardedRule[] rules; // every rule ever in force, indexed by id; only grows
  private final Conflicts conflicts;
  private volatile List<Rule> adopted; // the rules in force now
  private final LongAdder rehearsalFailures = new LongAdder();
  private final java.util.Set<String> rehearsalWarned = ConcurrentHashMap.newKeySet();
  private final String root;
  private final LockService locks;
  private final Path workingDirectory;

  /** Creates the handler and plugs it into the bridge, so guarded calls start using it. */
  static void install(
      AgentConfig config, LockService locks, Conflicts conflicts, Path workingDirectory) {
    LockBridge.install(new GuardedCalls(config, locks, conflicts, workingDirectory));
  }

  /** Unplugs the handler: guarded calls still woven in would now fail closed. */
  static void uninstall() {
    LockBridge.install(null);
  }

  /** The installed handler (the one {@link #install} plugged in), or null. */
  static GuardedCalls installed() {
    return (GuardedCalls) LockBridge.handler();
  }

  /** The rules in force now, with their ids. */
  List<Rule> rulesInForce() {
    return adopted;
  }

  /**
   * Adds a reloaded file's rules under fresh ids (after every earlier rule) and returns them; the
   * old rules stay resolvable for advice not yet retransformed and calls in flight.
   */
  synchronized List<Rule> adopt(List<Rule> parsed) {
    GuardedRule[] grown = Arrays.copyOf(rules, rules.length + parsed.size());
    List<Rule> renumbered = new ArrayList<>();
    for (int i = 0; i < parsed.size(); i++) {
      Rule rule = parsed.get(i).renumbered(rules.length + i);
      grown[rule.id()] = new GuardedRule(rule);
      renumbered.add(rule);
    }
    rules = grown;
    adopted = Collections.unmodifiableList(renumbered);
    return adopted;
  }

  GuardedCalls(AgentConfig config, LockService locks, Conflicts conflicts, Path workingDirectory) {
    List<Rule> all = config.rules();
    GuardedRule[] guarded = new GuardedRule[all.size()];
    for (int i = 0; i < guarded.length; i++) {
      guarded[i] = new GuardedRule(all.get(i));
    }
    this.rules = guarded;
    this.adopted = all;
    this.conflicts = conflicts;
    this.root = config.root();
    this.locks = locks;
    this.workingDirectory = workingDirectory;
  }

  @Override
  public AutoCloseable enter(
      int ruleId, Class<?> origin, String method, Object self, Object[] args) {
    return guard(ruleId, origin, method, self, args);
  }

  @Override
  public AutoCloseable enter(int ruleId, Class<?> origin, String method, Object input) {
    return guard(ruleId, origin, method, input, null);
  }

  // Kept small so that the JIT inlines it into the guarded call: the cold paths are methods of
  // their own. args == null: self is the one value the rule reads (see the class comment).
  private AutoCloseable guard(
      int ruleId, Class<?> origin, String method, Object self, Object[] args) {
    if (conflicts.isConflict(ruleId)) {
      throw new DatasetLockException(conflicts.message(ruleId) + ". The call was not run.");
    }
    GuardedRule guarded = rules[ruleId];
    Rule rule = guarded.rule;
    if (!rule.takesLock()) {
      return null; // a read rule in append-only mode (readLocks: false)
    }
    if (rule.rollout() != RolloutMode.ENFORCE) {
      return rehearse(rule, origin, origin.getName() + "." + method, self, args);
    }
    String dataset = null;
    DatasetLock lock;
    if (rule.lockPath() != null) {
      lock = locks.lock(rule.lockPath());
    } else {
      dataset = dataset(rule, origin, method, self, args);
      lock = lockOf(rule, dataset, origin, method);
    }
    CallFrames frames = locks.frames();
    try {
      lock.enter(frames, guarded.request, origin, method, dataset);
    } catch (RuntimeException e) {
      return notEntered(rule, origin, method, e);
    }
    if (rule.afterAcquire() != null && frames.topIsOutermost()) {
      afterAcquire(rule, origin, origin.getName() + "." + method, self, args, frames);
    }
    return frames;
  }

  private static String dataset(
      Rule rule, Class<?> origin, String method, Object self, Object[] args) {
    try {
      return evaluate(rule, origin, self, args);
    } catch (ValuePath.EvaluationException | IllegalArgumentException e) {
      throw noDataset(rule, origin, method, e);
    }
  }

  private static String evaluate(Rule rule, Class<?> origin, Object self, Object[] args) {
    return args == null
        ? rule.dataset().evaluateFrom(origin, self)
        : rule.dataset().evaluate(origin, self, args);
  }

  private static DatasetLockException noDataset(
      Rule rule, Class<?> origin, String method, RuntimeException e) {
    return new DatasetLockException(
        "rule '"
            + rule.name()
            + "' could not find the dataset of "
            + origin.getName()
            + "."
            + method
            + ": dataset expression '"
            + rule.dataset().source()
            + "': "
            + e.getMessage()
            + ". The call was not run.",
        e);
  }

  /** The lock of a dataset; the audit (if any) is told of each dataset the table had not seen. */
  private DatasetLock lockOf(Rule rule, String dataset, Class<?> origin, String method) {
    try {
      return locks.lockForDataset(dataset, workingDirectory, TELL_AUDIT);
    } catch (IllegalArgumentException e) {
      throw noDataset(rule, origin, method, e);
    }
  }

  /** The lock was not granted: run unlocked if the rule says so, else refuse the call. */
  private static AutoCloseable notEntered(
      Rule rule, Class<?> origin, String method, RuntimeException e) {
    if (e instanceof LockTimeoutException
        && rule.policy().onTimeout() == LockPolicy.OnTimeout.RUN_UNLOCKED) {
      log.error(
          "{} Running it WITHOUT the lock because rule '{}' says onTimeout: run-unlocked",
          e.getMessage(),
          rule.name());
      return null;
    }
    if (e instanceof DatasetLockException) {
      throw e;
    }
    throw new DatasetLockException(
        "internal error while locking for "
            + origin.getName()
            + "."
            + method
            + " (rule '"
            + rule.name()
            + "'): "
            + e,
        e);
  }

  /**
   * Observe and shadow modes: work out what would be locked and record it; never blocks, never
   * fails the call. A dataset expression that fails is logged once per rule and counted.
   *
   * @return in observe mode, what ends the call's marker (which observers in other JVMs see); else
   *     null
   */
  private AutoCloseable rehearse(
      Rule rule, Class<?> origin, String where, Object self, Object[] args) {
    DatasetLock lock;
    try {
      lock =
          rule.lockPath() != null
              ? locks.lock(rule.lockPath())
              // Not through the table's dataset memo, which tells the audit of datasets that
              // enforced calls lock: a rehearsed call holds no lock.
              : locks.lock(
                  LockPath.forDataset(root, evaluate(rule, origin, self, args), workingDirectory));
    } catch (RuntimeException e) {
      rehearsalFailures.increment();
      if (rehearsalWarned.add(rule.name())) {
        log.warn(
            "rule '{}' ({} mode) could not find the dataset of {}: {}; in enforce mode this call"
                + " would be refused",
            rule.name(),
            rule.rollout().label(),
            where,
            e.getMessage());
      }
      return null;
    }
    if (rule.rollout() == RolloutMode.SHADOW) {
      lock.shadow();
      return null;
    }
    return lock.observe(rule.mode());
  }

  /** Runs the rule's afterAcquire (e.g. a reload); if it fails, releases and refuses the call. */
  private static void afterAcquire(
      Rule rule, Class<?> origin, String where, Object self, Object[] args, CallFrames held) {
    try {
      if (args == null) {
        rule.afterAcquire().invokeFrom(origin, self);
      } else {
        rule.afterAcquire().invoke(origin, self, args);
      }
    } catch (RuntimeException e) {
      try {
        held.close();
      } catch (RuntimeException releaseFailure) {
        e.addSuppressed(releaseFailure);
      }
      throw new DatasetLockException(
          "rule '"
              + rule.name()
              + "': afterAcquire '"
              + rule.afterAcquire().source()
              + "' failed for "
              + where
              + ": "
              + e.getMessage()
              + ". The lock was released and the call was not run.",
          e);
    }
  }

  @Override
  public HeldLockInfo current() {
    return locks.current();
  }

  @Override
  public long totalWaitNanos() {
    return locks.totalWaitNanos();
  }
}
