package io.deeplakelock.lock;

import io.deeplakelock.bridge.LockMode;
import java.util.List;

/**
 * One lock node this JVM creates, through its life: {@code CREATING -> QUEUED -> HELD -> REMOVING
 * -> GONE}, with {@code CREATING|QUEUED -> REMOVING} when nobody wants it any more.
 *
 * <p><b>Guarded by</b> the owning {@link LockEngine}'s lock, except {@link #lost} and {@link
 * #suspect}, which are volatile so that the read fast path can see them without the lock.
 *
 * <p><b>Signs of loss.</b> {@link #suspect} is set at the first sign that the node may be gone (a
 * disconnection, a failed watch) and never cleared: a suspect node is never granted, passed on,
 * joined or kept. {@link #lost} says why it is known to be gone. {@link #unconfirmed} is set with
 * {@code suspect} on a disconnection and cleared when ZooKeeper shows the node again in the same
 * session: a call that ends meanwhile waits (bounded) for that answer.
 */
final class OwnNode {

  enum Phase {
    CREATING,
    QUEUED,
    HELD,
    REMOVING,
    GONE
  }

  final LockMode mode;

  /** The data stored in the node: who holds it, for operators. */
  final byte[] data;

  volatile Phase phase = Phase.CREATING;
  String path;
  long czxid;
  long session;

  /**
   * Store requests sent when the create's reply arrived: a queue listing sent later shows the node
   * while it exists.
   */
  long knownSince;

  /**
   * The listing sent right behind this node's create (one call's own node), until its reply came:
   * it judges the node if it shows it, as ZooKeeper applied it after the create; 0 if none.
   */
  long pipelined;

  /** After a reconnection: a listing sent after this shows whether the node survived. */
  long confirmAfter;

  /** The nearest contender this node waits for, for a timeout's message. */
  String blocker;

  /**
   * The conflicting contenders ahead of this waiting node of one call's own, as full paths, that
   * are not yet seen gone: when none is left it holds the lock ({@code LockEngine#grantIfClear});
   * null while it waits for the nearest only and lists the queue again when that one goes.
   */
  List<String> blockersLeft;

  /**
   * A conflicting contender queued behind the node (a writer behind a read node; any behind a write
   * node).
   */
  boolean contended;

  /** When this JVM first saw a contender behind it. */
  long contendedSince;

  /** Nobody wants the node any more: remove it as soon as it exists. */
  boolean abandoned;

  long heldSinceNanos;

  /** The hold that uses the node: a read share, the write hand-off or one call's own. */
  Hold hold;

  /** The create request was sent. */
  boolean sent;

  /** Its calls were sent back to wait for a fresh node; done once. */
  boolean requeued;

  /** It had to wait behind another contender before it was granted. */
  boolean waited;

  /** A call ran under it. */
  boolean usedByCalls;

  /** A call ended while its outcome was unknown and waits for it. */
  boolean awaited;

  /** The call whose end removes the node waits for ZooKeeper's answer to the delete. */
  volatile boolean removalAwaited;

  /** Its deletion watch was asked for (once: it lasts the node's session). */
  boolean watchAsked;

  /** Its deletion watch is set: ZooKeeper answered that it exists and is watched. */
  boolean watched;

  volatile LockLoss lost;
  volatile boolean suspect;
  volatile boolean unconfirmed;

  OwnNode(LockMode mode, byte[] data) {
    this.mode = mode;
    this.data = data;
  }

  /** May this node be granted to a call, handed on or kept now? */
  boolean trusted(long liveSession) {
    return phase == Phase.HELD && watched && lost == null && !suspect && session == liveSession;
  }

  /** The node's name below the lock path. */
  String name() {
    return path == null ? "(being created)" : path.substring(path.lastIndexOf('/') + 1);
  }

  /** What a call that ends under this node is told now: null (held), PENDING or why it was lost. */
  LockLoss outcome() {
    LockLoss known = lost;
    if (known != null) {
      return known;
    }
    return unconfirmed || (removalAwaited && phase == Phase.REMOVING) ? LockLoss.PENDING : null;
  }
}
