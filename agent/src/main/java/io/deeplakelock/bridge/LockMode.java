package io.deeplakelock.bridge;

/** The two kinds of dataset lock: shared readers, or one exclusive writer. */
public enum LockMode {
  /** Shared with other readers; excluded by any writer queued before it. */
  READ,
  /** Exclusive: excludes every other reader and writer of the dataset. */
  WRITE;

  /** The lower-case name used in rules files and messages. */
  public String label() {
    return this == READ ? "read" : "write";
  }
}
