package io.deeplakelock.lock;

/**
 * When this JVM last saw another process's node in the queue of any of its lock paths: one per
 * {@link LockService}, shared by all its engines. With adaptive lingering, a write call with
 * nothing of its JVM's to share on a path other processes have used takes a node of its own ({@code
 * LockEngine.takesOwnNode}) when another process was seen lately on that path or, through this
 * object, on any other: a service working over many datasets beside other processes sees them on
 * each path only now and then (their nodes must be in the queue at the moment it lists it), and a
 * coalescing write node it creates in between pays a deletion watch and a queue watch for sharing
 * that rarely happens.
 *
 * <p><b>Threads.</b> Written by any engine's thread under that engine's own lock ({@link #saw}),
 * read by others under theirs: the fields are volatile and the last write wins, so a sighting may
 * be overwritten by a concurrent, slightly older one. That is harmless: the hint only chooses
 * between a node of the call's own and a coalescing one, which exclude alike (I1 of {@code
 * LockEngine}); it never grants, keeps or removes a node. No lock, so it adds none to the order.
 */
final class OtherProcesses {

  private volatile long seenAt;
  private volatile boolean seen;

  /** Another process's node was in a queue of this JVM's at {@code now}. */
  void saw(long now) {
    seenAt = now;
    seen = true;
  }

  /** Whether another process's node was seen within {@code quietNanos} before {@code now}. */
  boolean lately(long now, long quietNanos) {
    return seen && now - seenAt < quietNanos;
  }
}
