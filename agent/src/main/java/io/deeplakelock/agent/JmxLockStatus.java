package io.deeplakelock.agent;

import java.beans.ConstructorProperties;
import java.util.List;

/** One lock path's figures in this JVM; an open-type value of {@link AgentStatusMXBean}. */
public final class JmxLockStatus {

  private final String lockPath;
  private final String dataset;
  private final long acquisitions;
  private final long waited;
  private final long timeouts;
  private final long lost;
  private final long fencingToken;
  private final double waitP50Millis;
  private final double waitP99Millis;
  private final double holdP50Millis;
  private final double holdP99Millis;
  private final List<String> holders;
  private final List<String> waiters;
  private final long observed;
  private final long wouldWait;
  private final String lastBlocker;
  private final long shadowed;

  @ConstructorProperties({
    "lockPath",
    "dataset",
    "acquisitions",
    "waited",
    "timeouts",
    "lost",
    "fencingToken",
    "waitP50Millis",
    "waitP99Millis",
    "holdP50Millis",
    "holdP99Millis",
    "holders",
    "waiters",
    "observed",
    "wouldWait",
    "lastBlocker",
    "shadowed"
  })
  public JmxLockStatus(
      String lockPath,
      String dataset,
      long acquisitions,
      long waited,
      long timeouts,
      long lost,
      long fencingToken,
      double waitP50Millis,
      double waitP99Millis,
      double holdP50Millis,
      double holdP99Millis,
      List<String> holders,
      List<String> waiters,
      long observed,
      long wouldWait,
      String lastBlocker,
      long shadowed) {
    this.lockPath = lockPath;
    this.dataset = dataset;
    this.acquisitions = acquisitions;
    this.waited = waited;
    this.timeouts = timeouts;
    this.lost = lost;
    this.fencingToken = fencingToken;
    this.waitP50Millis = waitP50Millis;
    this.waitP99Millis = waitP99Millis;
    this.holdP50Millis = holdP50Millis;
    this.holdP99Millis = holdP99Millis;
    this.holders = holders;
    this.waiters = waiters;
    this.observed = observed;
    this.wouldWait = wouldWait;
    this.lastBlocker = lastBlocker;
    this.shadowed = shadowed;
  }

  public String getLockPath() {
    return lockPath;
  }

  /** The dataset the lock path encodes (empty for a fixed lockPath). */
  public String getDataset() {
    return dataset;
  }

  public long getAcquisitions() {
    return acquisitions;
  }

  /** Acquisitions that queued behind another holder. */
  public long getWaited() {
    return waited;
  }

  public long getTimeouts() {
    return timeouts;
  }

  public long getLost() {
    return lost;
  }

  public long getFencingToken() {
    return fencingToken;
  }

  public double getWaitP50Millis() {
    return waitP50Millis;
  }

  public double getWaitP99Millis() {
    return waitP99Millis;
  }

  public double getHoldP50Millis() {
    return holdP50Millis;
  }

  public double getHoldP99Millis() {
    return holdP99Millis;
  }

  /** Threads of this JVM holding the lock now, with their modes. */
  public List<String> getHolders() {
    return holders;
  }

  /** Threads of this JVM waiting for the lock now. */
  public List<String> getWaiters() {
    return waiters;
  }

  /** Calls seen in observe mode. */
  public long getObserved() {
    return observed;
  }

  /** Observed calls that would have waited behind another contender. */
  public long getWouldWait() {
    return wouldWait;
  }

  /** The lock node an observed call would most recently have waited for. */
  public String getLastBlocker() {
    return lastBlocker;
  }

  /** Calls seen in shadow mode. */
  public long getShadowed() {
    return shadowed;
  }
}
