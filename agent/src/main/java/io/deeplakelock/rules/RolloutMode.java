package io.deeplakelock.rules;

/** How far a rule goes: lock for real, or only report what it would do. */
public enum RolloutMode implements Labelled {
  /** Take the lock; fail closed (the default). */
  ENFORCE,
  /**
   * Never block or fail: at each call read the lock's queue (no node is created, so nobody is
   * delayed) and record whether the call would have waited, and for whom.
   */
  OBSERVE,
  /** No ZooKeeper traffic at all: evaluate rules and datasets and record what would be locked. */
  SHADOW,
  /**
   * The whole file only: take no locks (rules run as in {@link #SHADOW}), watch the files under
   * {@code audit.roots}, record which methods of the service changed or read them, and write a
   * draft rules file for them.
   */
  DISCOVER;

  /** The modes a single rule may choose; {@link #DISCOVER} is for the whole file. */
  static final RolloutMode[] FOR_RULES = {ENFORCE, OBSERVE, SHADOW};
}
