package io.deeplakelock.lock;

/**
 * Why a lock node is, or may be, gone: the one home of lock loss. A call that ran under a node lost
 * before it ended is told by {@link LockLossReport}, which applies the rule's {@code onLockLost}
 * policy.
 */
enum LockLoss {
  /** Someone else deleted the node (an operator, a client cleaning up), seen by the queue watch. */
  DELETED("its lock node was deleted"),
  /** The session that owned the ephemeral node ended, and the node with it. */
  SESSION_EXPIRED("the ZooKeeper session expired"),
  /** The connection dropped and did not come back within the connection timeout. */
  UNCONFIRMED(
      "ZooKeeper was unreachable when the call ended and did not answer within the connection"
          + " timeout, so whether the lock was held to the end could not be confirmed"),
  /** Not a loss: the outcome is not known yet and the caller may wait for the connection. */
  PENDING("not known yet");

  private final String reason;

  LockLoss(String reason) {
    this.reason = reason;
  }

  /** The reason, as it reads in a message. */
  @Override
  public String toString() {
    return reason;
  }
}
