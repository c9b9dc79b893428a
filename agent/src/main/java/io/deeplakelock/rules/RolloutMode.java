package io.deeplakelock.rules;

/** How far a rule goes: lock for real, or only report what it would do. */
public enum RolloutMode {
  /** Take the lock; fail closed (the default). */
  ENFORCE,
  /**
   * Never block or fail: at each call read the lock's queue (no node is created, so nobody is
   * delayed) and record whether the call would have waited, and for whom.
   */
  OBSERVE,
  /** No ZooKeeper traffic at all: evaluate rules and datasets and record what would be locked. */
  SHADOW;

  /** The spelling in the rules file: {@code enforce}, {@code observe} or {@code shadow}. */
  public String label() {
    return Labels.of(this);
  }

  /** The constant a rules file spells {@code label}, or null when there is none. */
  public static RolloutMode fromLabel(String label) {
    return Labels.find(values(), RolloutMode::label, label);
  }
}
