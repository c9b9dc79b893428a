package io.deeplakelock.rules;

import io.deeplakelock.bridge.LockMode;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One entry of the rules file: which methods to guard, with which lock, on which dataset. Parsed
 * once into this immutable value; {@link #id()} is the constant that advice passes at each call.
 */
public final class Rule {

  private final int id;
  private final String name;
  private final SourcePosition position;
  private final NamePattern classPattern; // null: subtypesOf or annotatedWith selects
  private final String subtypesOf; // null unless the rule selects subtypes
  private final String annotatedWith; // null unless the rule filters by annotation
  private final List<MethodSelector> methods;
  private final LockMode mode;
  private final DatasetExpression dataset; // null when lockPath is fixed
  private final String lockPath; // null: root + encoded dataset
  private final LockPolicy policy;
  private final ValuePath afterAcquire; // null: nothing to call after acquiring
  private final RolloutMode rollout;

  Rule(
      int id,
      String name,
      SourcePosition position,
      NamePattern classPattern,
      String subtypesOf,
      String annotatedWith,
      List<MethodSelector> methods,
      LockMode mode,
      DatasetExpression dataset,
      String lockPath,
      LockPolicy policy,
      ValuePath afterAcquire,
      RolloutMode rollout) {
    this.id = id;
    this.name = name;
    this.position = position;
    this.classPattern = classPattern;
    this.subtypesOf = subtypesOf;
    this.annotatedWith = annotatedWith;
    this.methods = Collections.unmodifiableList(methods);
    this.mode = mode;
    this.dataset = dataset;
    this.lockPath = lockPath;
    this.policy = policy;
    this.afterAcquire = afterAcquire;
    this.rollout = rollout;
  }

  /** A copy of {@code rule} numbered {@code id}. */
  private Rule(Rule rule, int id) {
    this.id = id;
    this.name = rule.name;
    this.position = rule.position;
    this.classPattern = rule.classPattern;
    this.subtypesOf = rule.subtypesOf;
    this.annotatedWith = rule.annotatedWith;
    this.methods = rule.methods;
    this.mode = rule.mode;
    this.dataset = rule.dataset;
    this.lockPath = rule.lockPath;
    this.policy = rule.policy;
    this.afterAcquire = rule.afterAcquire;
    this.rollout = rule.rollout;
  }

  /**
   * The same rule under another id: a reloaded file's rules are numbered after every earlier rule,
   * so advice still woven with an old id keeps meaning the old rule.
   */
  public Rule renumbered(int newId) {
    return new Rule(this, newId);
  }

  /** The constant bound into the advice: the rule's index, counted across reloads. */
  public int id() {
    return id;
  }

  public String name() {
    return name;
  }

  /** Where the rule starts in the rules file. */
  public SourcePosition position() {
    return position;
  }

  /** The class name or glob as written ({@code class:}), or null. */
  public String className() {
    return classPattern == null ? null : classPattern.toString();
  }

  /** The {@code class:} pattern, or null when the rule selects by supertype or annotation. */
  public NamePattern classPattern() {
    return classPattern;
  }

  /** The class or interface whose concrete subtypes are guarded ({@code subtypesOf:}), or null. */
  public String subtypesOf() {
    return subtypesOf;
  }

  /** The annotation a class or method must carry ({@code annotatedWith:}), or null. */
  public String annotatedWith() {
    return annotatedWith;
  }

  /** What the rule selects classes by, as a user would read it. */
  public String classSelector() {
    StringBuilder out = new StringBuilder();
    if (classPattern != null) {
      out.append(classPattern);
    }
    if (subtypesOf != null) {
      out.append("subtypes of ").append(subtypesOf);
    }
    if (annotatedWith != null) {
      out.append(out.length() == 0 ? "" : " ").append("annotated @").append(annotatedWith);
    }
    return out.toString();
  }

  public List<MethodSelector> methods() {
    return methods;
  }

  public LockMode mode() {
    return mode;
  }

  /** Where the dataset path comes from; null when {@link #lockPath()} is fixed. */
  public DatasetExpression dataset() {
    return dataset;
  }

  /** A fixed lock znode that replaces the per-dataset path, or null. */
  public String lockPath() {
    return lockPath;
  }

  public LockPolicy policy() {
    return policy;
  }

  /** A no-argument method of the receiver called right after the lock is taken, or null. */
  public ValuePath afterAcquire() {
    return afterAcquire;
  }

  /**
   * What a guarded call must pass for this rule's dataset and {@code afterAcquire}: nothing, the
   * receiver, one argument, or all of them.
   */
  public CallInput input() {
    CallInput input = dataset == null ? CallInput.NONE : dataset.input();
    return afterAcquire == null ? input : input.and(afterAcquire.input());
  }

  /** enforce, observe or shadow: the file's {@code mode}, unless the rule sets its own. */
  public RolloutMode rollout() {
    return rollout;
  }

  /** True when calls matched by this rule take a ZooKeeper lock at all. */
  public boolean takesLock() {
    return mode == LockMode.WRITE || policy.readLocks();
  }

  /**
   * True when both rules do exactly the same to a call (lock, policies, afterAcquire, mode), so
   * either may guard a method both match; any difference makes that method a conflict.
   */
  public boolean sameGuard(Rule other) {
    return mode == other.mode
        && Objects.equals(lockPath, other.lockPath)
        && Objects.equals(dataset, other.dataset)
        && policy.equals(other.policy)
        && Objects.equals(source(afterAcquire), source(other.afterAcquire))
        && rollout == other.rollout;
  }

  private static String source(ValuePath call) {
    return call == null ? null : call.source();
  }

  /** True when both rules take the same lock; they may still differ in other settings. */
  public boolean sameLock(Rule other) {
    return mode == other.mode
        && Objects.equals(lockPath, other.lockPath)
        && (lockPath != null || Objects.equals(dataset, other.dataset));
  }

  /** How the rule's lock reads in messages: {@code write lock on this.path}. */
  public String lockLabel() {
    return mode.label() + " lock on " + (lockPath != null ? lockPath : String.valueOf(dataset));
  }

  /** Everything the rule does to a call, for conflict messages. */
  public String guardLabel() {
    return lockLabel()
        + " "
        + policy
        + (afterAcquire != null ? " afterAcquire=" + afterAcquire.source() : "")
        + (rollout != RolloutMode.ENFORCE ? " mode=" + rollout.label() : "");
  }

  @Override
  public String toString() {
    return "rule '" + name + "' (" + position + ")";
  }
}
