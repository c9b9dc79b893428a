package io.deeplakelock.rules;

import java.util.Objects;

/**
 * What a rule does when its lock is slow, absent or lost; defaults come from the {@code locks}
 * section and each rule may override any of them.
 */
public final class LockPolicy {

  /** What happens when the lock is not granted within the timeout. */
  public enum OnTimeout implements Labelled {
    /** Throw {@code LockTimeoutException}; the body does not run (the default). */
    FAIL,
    /** Run the body without the lock and log an ERROR each time: only if the user asks. */
    RUN_UNLOCKED
  }

  /** What happens when a held lock is found lost (session expired, node deleted). */
  public enum OnLockLost implements Labelled {
    /** Throw {@code LockLostException} to the caller after the body (the default). */
    THROW,
    /** Log an ERROR and count it only. */
    LOG
  }

  private final long timeoutMillis;
  private final OnTimeout onTimeout;
  private final boolean readLocks;
  private final OnLockLost onLockLost;

  public LockPolicy(
      long timeoutMillis, OnTimeout onTimeout, boolean readLocks, OnLockLost onLockLost) {
    this.timeoutMillis = timeoutMillis;
    this.onTimeout = onTimeout;
    this.readLocks = readLocks;
    this.onLockLost = onLockLost;
  }

  /** The defaults that apply when the rules file says nothing. */
  public static LockPolicy defaults() {
    return new LockPolicy(30_000L, OnTimeout.FAIL, true, OnLockLost.THROW);
  }

  public long timeoutMillis() {
    return timeoutMillis;
  }

  public OnTimeout onTimeout() {
    return onTimeout;
  }

  /** False in append-only mode: read rules then run unlocked. */
  public boolean readLocks() {
    return readLocks;
  }

  public OnLockLost onLockLost() {
    return onLockLost;
  }

  /** Equal policies treat a call the same way: two rules with them may guard one method. */
  @Override
  public boolean equals(Object other) {
    if (!(other instanceof LockPolicy)) {
      return false;
    }
    LockPolicy that = (LockPolicy) other;
    return timeoutMillis == that.timeoutMillis
        && onTimeout == that.onTimeout
        && readLocks == that.readLocks
        && onLockLost == that.onLockLost;
  }

  @Override
  public int hashCode() {
    return Objects.hash(timeoutMillis, onTimeout, readLocks, onLockLost);
  }

  /** The policy as a rules file would say it, for messages. */
  @Override
  public String toString() {
    return "timeout="
        + Durations.format(timeoutMillis)
        + " onTimeout="
        + onTimeout.label()
        + " readLocks="
        + readLocks
        + " onLockLost="
        + onLockLost.label();
  }
}
