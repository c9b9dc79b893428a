package io.deeplakelock.lock;

import io.deeplakelock.bridge.HeldLockInfo;
import io.deeplakelock.bridge.LockMode;
import java.util.Arrays;

/**
 * The guarded calls running on one thread, innermost last. Frames are mutable objects reused from
 * call to call, so that entering and leaving a call allocates nothing once the thread has reached
 * its deepest nesting.
 *
 * <p>Guarded calls nest strictly (the exit advice runs in the same method frame as the enter
 * advice), so the exit of a call always closes the top frame; that is what {@link #close()} does,
 * which lets this object itself be the handle the advice keeps between enter and exit.
 */
public final class CallFrames implements AutoCloseable {

  /**
   * One guarded call: the lock it holds, the hold it runs under, and what it asked for.
   *
   * <p>Frames outlive many collections, so the collector soon counts them old; under G1 a store of
   * a reference into an old object that points into another region costs a store-load fence (its
   * post-write barrier). A frame is therefore written only where a field changes, and a popped
   * frame keeps its values for the next call of the thread: what a loop of one call site writes is
   * then nothing at all. What it keeps is the agent's own objects and strings, never the guarded
   * method's {@code Class}, so no class loader stays reachable through it; at most one stale lock
   * per nesting depth of each thread.
   */
  private static final class Frame {
    DatasetLock lock;
    Hold hold;
    boolean outermost;
    LockRequest request;
    String originName;
    String method;
    String dataset;

    LockCall call() {
      // With no class, LockCall takes the method as Class.method.
      return new LockCall(
          request, null, originName == null ? method : originName + "." + method, dataset);
    }
  }

  /**
   * This thread's counter stripe in every {@link ReadShare}: its number in the JVM, never given to
   * another thread while that could make two threads the writers of one slot's own count (S6).
   */
  final int stripe;

  /** What this thread's lock nodes say of their holder (the thread's name as first seen). */
  private byte[] holderData;

  private int depth;
  private Frame[] frames = new Frame[0];

  CallFrames(int stripe) {
    this.stripe = stripe;
  }

  /**
   * The stripe of the {@code n}th thread (from 0) to make a guarded call: {@code n} itself while it
   * fits an int. Past that (after 2<sup>31</sup> threads, virtual ones included) the numbers repeat
   * only above the largest slot count ({@link ReadShare#stripesFor}: 64), so a slot's own count
   * still belongs to one of the JVM's first threads alone.
   */
  static int stripe(long n) {
    return n < Integer.MAX_VALUE ? (int) n : 64 + (int) (n & 63);
  }

  /** The holder data for this thread's nodes, made once per thread. */
  byte[] holderData(LockService service) {
    byte[] data = holderData;
    if (data == null) {
      data = service.holderData(Thread.currentThread());
      holderData = data;
    }
    return data;
  }

  int depth() {
    return depth;
  }

  /** The index of the innermost frame on {@code lock}, or -1 when this thread does not hold it. */
  int find(DatasetLock lock) {
    for (int i = depth - 1; i >= 0; i--) {
      if (frames[i].lock == lock) {
        return i;
      }
    }
    return -1;
  }

  /** The index of the outermost frame on {@code lock}; the thread must hold it. */
  int first(DatasetLock lock) {
    for (int i = 0; i < depth; i++) {
      if (frames[i].lock == lock) {
        return i;
      }
    }
    return -1;
  }

  void push(
      DatasetLock lock,
      Hold hold,
      boolean outer,
      LockRequest request,
      Class<?> origin,
      String method,
      String dataset) {
    if (depth == frames.length) {
      grow(); // apart, so that push stays small enough to inline
    }
    Frame f = frames[depth++];
    // Each write only where the value changed: see Frame on why.
    if (f.lock != lock) {
      f.lock = lock;
    }
    if (f.hold != hold) {
      f.hold = hold;
    }
    f.outermost = outer;
    if (f.request != request) {
      f.request = request;
    }
    String originName = origin == null ? null : origin.getName(); // Class caches its name
    if (f.originName != originName) {
      f.originName = originName;
    }
    if (f.method != method) {
      f.method = method;
    }
    if (f.dataset != dataset) {
      f.dataset = dataset;
    }
  }

  private void grow() {
    frames = Arrays.copyOf(frames, Math.max(4, depth * 2));
    for (int i = depth; i < frames.length; i++) {
      frames[i] = new Frame();
    }
  }

  /** True when the top frame took its lock; false when it re-entered a lock its thread held. */
  public boolean topIsOutermost() {
    return depth > 0 && frames[depth - 1].outermost;
  }

  Hold hold(int i) {
    return frames[i].hold;
  }

  String rule(int i) {
    return frames[i].request.rule;
  }

  /** The call of frame {@code i}, for a message. */
  LockCall call(int i) {
    return frames[i].call();
  }

  /** What {@code DatasetLocks.current()} reports for the innermost call, or null. */
  public HeldLockInfo currentInfo() {
    if (depth == 0) {
      return null;
    }
    Frame f = frames[depth - 1];
    return new HeldLockInfo(
        f.dataset, f.lock.path(), f.hold.mode(), f.hold.node.czxid, f.hold.node.session);
  }

  /**
   * The strongest mode in which this thread holds {@code lockPath}, or null when it holds it not at
   * all: read-only, for the file audit.
   */
  public LockMode modeHeld(String lockPath) {
    LockMode held = null;
    for (int i = 0; i < depth; i++) {
      Frame f = frames[i];
      if (f.lock.path().equals(lockPath)) {
        if (f.hold.mode() == LockMode.WRITE) {
          return LockMode.WRITE;
        }
        held = f.hold.mode();
      }
    }
    return held;
  }

  /** Ends the innermost guarded call: releases its hold, and the lock if it was the outermost. */
  @Override
  public void close() {
    if (depth == 0) {
      return;
    }
    closeTop();
  }

  /** Closes frame {@code index} if it is still the top frame: a second close does nothing. */
  void close(int index) {
    if (depth == index + 1) {
      closeTop();
    }
  }

  private void closeTop() {
    int i = depth - 1;
    Frame f = frames[i];
    depth = i; // popped first: the lock sees the thread without this call
    if (f.outermost) {
      f.lock.leave(this, i, f.hold);
    }
  }
}
