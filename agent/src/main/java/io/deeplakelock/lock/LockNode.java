package io.deeplakelock.lock;

/** A lock node that this JVM created and that holds the lock. */
final class LockNode {

  final String path;

  /** The node's creation zxid: a fencing token, monotonic across reconnects and parent reaping. */
  final long czxid;

  /** The service's session epoch when the node was created; a change means the node is gone. */
  final long sessionEpoch;

  LockNode(String path, long czxid, long sessionEpoch) {
    this.path = path;
    this.czxid = czxid;
    this.sessionEpoch = sessionEpoch;
  }
}
