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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's {@link LockHandler}: from a rule id and the call's receiver and arguments to a held
 * dataset lock. Any failure on the way refuses the call with a {@link DatasetLockException}.
 */
final class GuardedCalls implements LockHandler {

  private static final Logger log = LoggerFactory.getLogger(GuardedCalls.class);
  private static final int MAX_CACHED_PATHS = 10_000;

  private volatile Rule[] rules; // every rule ever in force, indexed by id; only grows
  private final Conflicts conflicts;
  private volatile List<Rule> adopted; // the rules in force now
  private final LongAdder rehearsalFailures = new LongAdder();
  private final java.util.Set<String> rehearsalWarned = ConcurrentHashMap.newKeySet();
  private final String root;
  private final LockService locks;
  private final Path workingDirectory;
  // Dataset value -> lock path: canonicalising and encoding once per distinct dataset string.
  private final ConcurrentHashMap<String, String> lockPaths = new ConcurrentHashMap<>();
  private final RuleTargets targets = new RuleTargets();

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
    Rule[] grown = Arrays.copyOf(rules, rules.length + parsed.size());
    List<Rule> renumbered = new ArrayList<>();
    for (int i = 0; i < parsed.size(); i++) {
      Rule rule = parsed.get(i).renumbered(rules.length + i);
      grown[rule.id()] = rule;
      renumbered.add(rule);
    }
    rules = grown;
    adopted = Collections.unmodifiableList(renumbered);
    return adopted;
  }

  GuardedCalls(AgentConfig config, LockService locks, Conflicts conflicts, Path workingDirectory) {
    this.rules = config.rules().toArray(new Rule[0]);
    this.adopted = config.rules();
    this.conflicts = conflicts;
    this.root = config.root();
    this.locks = locks;
    this.workingDirectory = workingDirectory;
  }

  // Kept small so that the JIT inlines it into the guarded call: the cold paths are methods of
  // their own.
  @Override
  public AutoCloseable enter(
      int ruleId, Class<?> origin, String method, Object self, Object[] args) {
    if (conflicts.isConflict(ruleId)) {
      throw new DatasetLockException(conflicts.message(ruleId) + ". The call was not run.");
    }
    Rule rule = rules[ruleId];
    if (!rule.takesLock()) {
      return null; // a read rule in append-only mode (readLocks: false)
    }
    if (rule.rollout() != RolloutMode.ENFORCE) {
      return rehearse(rule, origin, origin.getName() + "." + method, self, args);
    }
    String dataset = rule.lockPath() == null ? dataset(rule, origin, method, self, args) : null;
    DatasetLock lock = targets.get(ruleId, dataset);
    if (lock == null) {
      lock = resolve(ruleId, rule, dataset, origin, method);
    }
    CallFrames frames = locks.frames();
    try {
      lock.enter(frames, rule.name(), rule.policy(), rule.mode(), origin, method, dataset);
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
      return rule.dataset().evaluate(origin, self, args);
    } catch (ValuePath.EvaluationException | IllegalArgumentException e) {
      throw noDataset(rule, origin, method, e);
    }
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

  /** The lock of a rule's dataset (or fixed path) the first time, or after another dataset. */
  private DatasetLock resolve(
      int ruleId, Rule rule, String dataset, Class<?> origin, String method) {
    DatasetLock lock;
    try {
      lock = locks.lock(dataset == null ? rule.lockPath() : lockPathOf(dataset));
    } catch (IllegalArgumentException e) {
      throw noDataset(rule, origin, method, e);
    }
    targets.put(ruleId, dataset, lock);
    if (dataset != null) {
      AuditWeaving.datasetLocked(dataset); // the audit watches the datasets the rules lock
    }
    return lock;
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
    String path = rule.lockPath();
    try {
      if (path == null) {
        path = lockPathOf(rule.dataset().evaluate(origin, self, args));
      }
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
      locks.lock(path).shadow();
      return null;
    }
    return locks.lock(path).observe(rule.mode());
  }

  /** Runs the rule's afterAcquire (e.g. a reload); if it fails, releases and refuses the call. */
  private static void afterAcquire(
      Rule rule, Class<?> origin, String where, Object self, Object[] args, CallFrames held) {
    try {
      rule.afterAcquire().invoke(origin, self, args);
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

  private String lockPathOf(String dataset) {
    String path = lockPaths.get(dataset);
    if (path == null) {
      path = LockPath.forDataset(root, dataset, workingDirectory);
      if (lockPaths.size() >= MAX_CACHED_PATHS) {
        lockPaths.clear();
      }
      lockPaths.put(dataset, path);
    }
    return path;
  }

  @Override
  public long totalWaitNanos() {
    return locks.totalWaitNanos();
  }
}
