package io.deeplakelock.lock;

import io.deeplakelock.bridge.LockMode;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One lock node this JVM holds, and the local calls that run under it. Without coalescing each
 * guarded call has a lease of its own; with it, a lease is shared (readers) or handed on (writers).
 */
class Lease {

  final LockNode node;
  final LockMode mode;

  /** Why the node is known to be gone (deleted, or its session ended), or null. */
  volatile String lost;

  private final AtomicBoolean released = new AtomicBoolean();

  /** Whether the queue behind the node is watched; set once the node outlives one call. */
  final AtomicBoolean watchArmed = new AtomicBoolean();

  /** One linger timer at a time per lease. */
  final AtomicBoolean lingerScheduled = new AtomicBoolean();

  /** Set once the queue watch on this lease could not be re-armed; re-armed on reconnection. */
  volatile boolean watchBroken;

  Lease(LockNode node, LockMode mode) {
    this.node = node;
    this.mode = mode;
  }

  /** Claims the one release of the node; false when another thread already claimed it. */
  final boolean claimRelease() {
    return released.compareAndSet(false, true);
  }

  final boolean released() {
    return released.get();
  }

  /** The node's name below the lock path. */
  final String nodeName() {
    return node.path.substring(node.path.lastIndexOf('/') + 1);
  }
}
