package io.deeplakelock.bridge;

/**
 * The dataset lock a guarded call runs under, as {@link DatasetLocks#current()} reports it.
 *
 * <p><b>Fencing.</b> {@link #token()} is the ZooKeeper creation zxid of the lock node: it grows
 * with every new holder, across reconnects and re-created parents. A storage layer that records the
 * highest token it has accepted and refuses writes with a lower one never lets a stale holder
 * (paused past its session timeout) overwrite a newer holder's data.
 */
public final class HeldLockInfo {

  private final String dataset;
  private final String lockPath;
  private final LockMode mode;
  private final long token;
  private final long sessionId;

  public HeldLockInfo(String dataset, String lockPath, LockMode mode, long token, long sessionId) {
    this.dataset = dataset;
    this.lockPath = lockPath;
    this.mode = mode;
    this.token = token;
    this.sessionId = sessionId;
  }

  /** The dataset path as the rule evaluated it, or null when the rule has a fixed lock path. */
  public String dataset() {
    return dataset;
  }

  /** The lock znode. */
  public String lockPath() {
    return lockPath;
  }

  /** The mode of the node this thread holds (WRITE when a read was nested in a write). */
  public LockMode mode() {
    return mode;
  }

  /** The fencing token: the lock node's creation zxid. */
  public long token() {
    return token;
  }

  /** The ZooKeeper session that holds the lock node; the lock lives only as long as it does. */
  public long sessionId() {
    return sessionId;
  }

  @Override
  public String toString() {
    return mode.label()
        + " lock "
        + lockPath
        + " token "
        + token
        + " session 0x"
        + Long.toHexString(sessionId);
  }
}
