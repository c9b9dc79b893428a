package io.deeplakelock.lock;

import io.deeplakelock.bridge.HeldLockInfo;
import io.deeplakelock.bridge.LockMode;
import io.deeplakelock.rules.LockPolicy;
import java.util.Arrays;

/**
 * The guarded calls running on one thread, innermost last: one frame per call, kept in parallel
 * arrays so that entering and leaving a call allocates nothing.
 *
 * <p>Guarded calls nest strictly (the exit advice runs in the same method frame as the enter
 * advice), so the exit of a call always closes the top frame; that is what {@link #close()} does,
 * which lets this object itself be the handle the advice keeps between enter and exit.
 */
public final class CallFrames implements AutoCloseable {

  private static final int INITIAL_DEPTH = 4;

  /** This thread's counter stripe in every {@link ReadLease}. */
  final int stripe;

  private int depth;
  private DatasetLock[] locks = new DatasetLock[INITIAL_DEPTH];
  private Lease[] leases = new Lease[INITIAL_DEPTH];
  private LockMode[] modes = new LockMode[INITIAL_DEPTH];
  private boolean[] outermost = new boolean[INITIAL_DEPTH];
  private String[] rules = new String[INITIAL_DEPTH];
  private LockPolicy[] policies = new LockPolicy[INITIAL_DEPTH];
  private Class<?>[] origins = new Class<?>[INITIAL_DEPTH];
  private String[] methods = new String[INITIAL_DEPTH];
  private String[] datasets = new String[INITIAL_DEPTH];

  CallFrames(int stripe) {
    this.stripe = stripe;
  }

  int depth() {
    return depth;
  }

  /** The index of the innermost frame on {@code lock}, or -1 when this thread does not hold it. */
  int find(DatasetLock lock) {
    for (int i = depth - 1; i >= 0; i--) {
      if (locks[i] == lock) {
        return i;
      }
    }
    return -1;
  }

  /** The index of the outermost frame on {@code lock}; the thread must hold it. */
  int first(DatasetLock lock) {
    for (int i = 0; i < depth; i++) {
      if (locks[i] == lock) {
        return i;
      }
    }
    return -1;
  }

  void push(
      DatasetLock lock,
      Lease lease,
      LockMode mode,
      boolean outer,
      String rule,
      LockPolicy policy,
      Class<?> origin,
      String method,
      String dataset) {
    if (depth == locks.length) {
      grow();
    }
    int i = depth++;
    locks[i] = lock;
    leases[i] = lease;
    modes[i] = mode;
    outermost[i] = outer;
    rules[i] = rule;
    policies[i] = policy;
    origins[i] = origin;
    methods[i] = method;
    datasets[i] = dataset;
  }

  private void grow() {
    int n = locks.length * 2;
    locks = Arrays.copyOf(locks, n);
    leases = Arrays.copyOf(leases, n);
    modes = Arrays.copyOf(modes, n);
    outermost = Arrays.copyOf(outermost, n);
    rules = Arrays.copyOf(rules, n);
    policies = Arrays.copyOf(policies, n);
    origins = Arrays.copyOf(origins, n);
    methods = Arrays.copyOf(methods, n);
    datasets = Arrays.copyOf(datasets, n);
  }

  /** True when the top frame took its lock; false when it re-entered a lock its thread held. */
  public boolean topIsOutermost() {
    return depth > 0 && outermost[depth - 1];
  }

  Lease lease(int i) {
    return leases[i];
  }

  String rule(int i) {
    return rules[i];
  }

  /** The call of frame {@code i}, for a message. */
  CallSite call(int i) {
    return new CallSite(rules[i], origins[i], methods[i], datasets[i], modes[i], policies[i]);
  }

  /** What {@code DatasetLocks.current()} reports for the innermost call, or null. */
  public HeldLockInfo currentInfo() {
    if (depth == 0) {
      return null;
    }
    int i = depth - 1;
    Lease lease = leases[i];
    return new HeldLockInfo(
        datasets[i], locks[i].path(), lease.mode, lease.node.czxid, lease.node.sessionId);
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
    depth = i; // popped first: the lock sees the thread without this call
    try {
      if (outermost[i]) {
        locks[i].leave(this, i, leases[i]);
      }
    } finally {
      locks[i] = null;
      leases[i] = null;
      rules[i] = null;
      policies[i] = null;
      origins[i] = null;
      methods[i] = null;
      datasets[i] = null;
    }
  }
}
