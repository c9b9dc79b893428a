package io.deeplakelock.rules;

import io.deeplakelock.bridge.LockMode;
import java.util.Collections;
import java.util.List;

/**
 * One entry of the rules file: which methods to guard, with which lock, on which dataset. Parsed
 * once into this immutable value; {@link #id()} is the constant that advice passes at each call.
 */
public final class Rule {

  private final int id;
  private final String name;
  private final SourcePosition position;
  private final String className;
  private final List<MethodSelector> methods;
  private final LockMode mode;
  private final DatasetExpression dataset; // null when lockPath is fixed
  private final String lockPath; // null: root + encoded dataset
  private final LockPolicy policy;

  Rule(
      int id,
      String name,
      SourcePosition position,
      String className,
      List<MethodSelector> methods,
      LockMode mode,
      DatasetExpression dataset,
      String lockPath,
      LockPolicy policy) {
    this.id = id;
    this.name = name;
    this.position = position;
    this.className = className;
    this.methods = Collections.unmodifiableList(methods);
    this.mode = mode;
    this.dataset = dataset;
    this.lockPath = lockPath;
    this.policy = policy;
  }

  /** Index of this rule in its file, bound as a constant into the advice. */
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

  /** The fully qualified name of the class whose methods are guarded. */
  public String className() {
    return className;
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

  /** True when calls matched by this rule take a ZooKeeper lock at all. */
  public boolean takesLock() {
    return mode == LockMode.WRITE || policy.readLocks();
  }

  @Override
  public String toString() {
    return "rule '" + name + "' (" + position + ")";
  }
}
