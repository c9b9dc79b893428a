package io.deeplakelock.lock;

import io.deeplakelock.bridge.HeldLockInfo;

/**
 * One guarded call's hold on a dataset lock; the call's exit advice closes it exactly once, and
 * only the outermost hold of a thread removes the lock node.
 */
public final class HeldLock implements AutoCloseable {

  private final DatasetLock lock;
  private final DatasetLock.ThreadHold hold;
  private final CallSite call;
  private final boolean outermost;
  private final HeldLockInfo info;
  private boolean closed;

  HeldLock(DatasetLock lock, DatasetLock.ThreadHold hold, CallSite call, boolean outermost) {
    this.lock = lock;
    this.hold = hold;
    this.call = call;
    this.outermost = outermost;
    this.info =
        new HeldLockInfo(
            call.dataset, lock.path(), hold.nodeMode, hold.node.czxid, hold.node.sessionId);
  }

  /** True when this call took the lock; false when it re-entered a lock its thread held. */
  public boolean outermost() {
    return outermost;
  }

  /** What {@code DatasetLocks.current()} reports while this hold is the innermost. */
  public HeldLockInfo info() {
    return info;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    lock.release(this, hold, call);
  }
}
