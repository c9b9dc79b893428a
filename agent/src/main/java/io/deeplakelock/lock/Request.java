package io.deeplakelock.lock;

import io.deeplakelock.bridge.LockMode;

/**
 * One call's request for a lock, from the moment it cannot be granted at once until it is granted,
 * refused or given up. Guarded by the engine's lock; the waiting thread reads it under that lock.
 */
final class Request {

  enum State {
    WAITING,
    GRANTED,
    FAILED,
    CANCELLED
  }

  final LockMode mode;
  final int stripe;
  final Thread thread;
  final byte[] data;

  State state = State.WAITING;
  Hold hold;

  /** Why ZooKeeper refused the request's node, when FAILED. */
  String refusal;

  /** It waited behind another holder (for the counters). */
  boolean queued;

  /** The node this request waits on, if one is queued for it (for a timeout's message). */
  OwnNode waitsOn;

  /** The node a cancelled request left to be removed, if nobody else wanted it. */
  OwnNode leftBehind;

  Request(LockMode mode, int stripe, Thread thread, byte[] data) {
    this.mode = mode;
    this.stripe = stripe;
    this.thread = thread;
    this.data = data;
  }

  State state() {
    return state;
  }

  Hold hold() {
    return hold;
  }

  void grant(Hold granted) {
    state = State.GRANTED;
    hold = granted;
    waitsOn = null;
    granted.node.usedByCalls = true;
  }

  void fail(String why) {
    state = State.FAILED;
    refusal = why;
    waitsOn = null;
  }
}
