package io.deeplakelock.lock;

import io.deeplakelock.bridge.HeldLockInfo;

/**
 * A handle on one call's frame, for callers that want an object per call (tests, tools). Guarded
 * calls do without it: their advice closes the thread's {@link CallFrames} directly.
 */
public final class HeldLock implements AutoCloseable {

  private final CallFrames frames;
  private final int index;
  private final boolean outermost;
  private final HeldLockInfo info;

  HeldLock(CallFrames frames, int index) {
    this.frames = frames;
    this.index = index;
    this.outermost = frames.topIsOutermost();
    this.info = frames.currentInfo();
  }

  /** True when this call took the lock; false when it re-entered a lock its thread held. */
  public boolean outermost() {
    return outermost;
  }

  /** What {@code DatasetLocks.current()} reported when this hold was the innermost. */
  public HeldLockInfo info() {
    return info;
  }

  /** Ends the call; a second close, or a close after an inner hold's, does nothing. */
  @Override
  public void close() {
    frames.close(index);
  }
}
