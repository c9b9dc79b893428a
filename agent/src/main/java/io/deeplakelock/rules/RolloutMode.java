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
  SHADOW
}
