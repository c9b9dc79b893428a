package io.deeplakelock.lock;

/** A lock node that this JVM created and that holds the lock. */
final class LockNode {

  final String path;

  /** The node's creation zxid: a fencing token, monotonic across reconnects and parent reaping. */
  final long czxid;

  /** The ZooKeeper session that created the (ephemeral) node; it dies with that session. */
  final long sessionId;

  /** True when the node had to wait behind another contender. */
  final boolean queued;

  final long acquiredAtNanos = System.nanoTime();

  LockNode(String path, long czxid, long sessionId, boolean queued) {
    this.path = path;
    this.czxid = czxid;
    this.sessionId = sessionId;
    this.queued = queued;
  }
}
