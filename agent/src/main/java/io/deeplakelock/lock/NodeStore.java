package io.deeplakelock.lock;

import io.deeplakelock.bridge.LockMode;
import java.util.List;

/**
 * The ZooKeeper operations the lock engine needs, all asynchronous: a call only queues the request
 * and returns; its reply arrives later through {@link Reply} on the store's event thread.
 *
 * <p><b>Ordering.</b> Requests are sent, and replies and watch notifications delivered, in the
 * order ZooKeeper guarantees for one session: a reply to a request sent after the reply to a create
 * was received sees that create. While connected, requests one thread sends one after the other are
 * also applied in that order (a listing sent right behind a create shows the node), but a request
 * the store re-sends (after a connection loss, or a create whose parent was missing) may be applied
 * after later ones: a listing sent before a create's reply proves the node's absence from nothing.
 * A reply may come on any thread, even inside the call that sent the request: callers never call
 * the store while holding a lock its replies need.
 *
 * <p>Production uses {@link CuratorNodeStore}; the simulation harness uses an in-memory model with
 * controllable delivery.
 */
interface NodeStore {

  /** What became of one request. */
  enum Code {
    OK,
    /** The path (or node) does not exist. */
    NO_NODE,
    /** The connection dropped before a reply: the request may or may not have been applied. */
    CONNECTION_LOSS,
    /** The session the request was made in has ended. */
    SESSION_EXPIRED,
    /** ZooKeeper refused access (ACL), or authentication failed. */
    NO_AUTH,
    /** Anything else; the detail says what. */
    OTHER
  }

  /** The reply to one request. */
  interface Reply<T> {
    /**
     * @param code what became of the request
     * @param value the result when {@code code} is OK, else null
     * @param detail a readable reason when {@code code} is not OK, else null
     */
    void done(Code code, T value, String detail);
  }

  /** A lock node this store created. */
  final class Created {
    /** The node's full path. */
    final String path;

    /** The node's creation zxid: the fencing token. */
    final long czxid;

    /** The session that owns the ephemeral node. */
    final long session;

    Created(String path, long czxid, long session) {
      this.path = path;
      this.czxid = czxid;
      this.session = session;
    }
  }

  /** Told of every change of the connection: the live session, or 0 while there is none. */
  interface ConnectionListener {
    void connection(long liveSession);
  }

  /**
   * Creates an {@code EPHEMERAL_SEQUENTIAL} lock node for {@code mode} below {@code lockPath},
   * creating missing parents as PERSISTENT nodes. A create whose reply was lost is found again or
   * removed by the store (Curator's protected mode): it leaves no orphan.
   */
  void create(String lockPath, LockMode mode, byte[] data, Reply<Created> reply);

  /**
   * Lists the children of {@code lockPath} and leaves a one-shot watch on them: {@code onChange}
   * runs once, on the store's event thread, after the next change of the children (or the path's
   * deletion). Connection events do not trigger it; a watch survives a reconnection in the same
   * session (the store re-registers it) and is gone with the session. A null {@code onChange} lists
   * without a watch.
   */
  void children(String lockPath, Runnable onChange, Reply<List<String>> reply);

  /**
   * Reads a node (one of ours, or one that ours waits for) and leaves a one-shot watch on it:
   * {@code onGone} runs once, on the store's event thread, when the node is deleted. Connection
   * events do not trigger it; it survives a reconnection in the same session (and fires then if the
   * node went meanwhile) and is gone with the session. OK: the node exists and is watched, and the
   * reply carries its data (empty when it has none: who holds it, for messages); NO_NODE: it is
   * gone already, and no watch is left behind (a read, not an existence check, for that reason).
   */
  void watchNode(String nodePath, Runnable onGone, Reply<byte[]> reply);

  /**
   * Deletes one of our nodes, retrying across connection loss while its session lives (Curator's
   * guaranteed delete). NO_NODE: it was already gone; SESSION_EXPIRED: gone with its session.
   */
  void delete(String nodePath, long session, Reply<Void> reply);

  /** The session this store is connected with now, or 0 while it is not connected. */
  long liveSession();

  /**
   * Whether the session is gone for good (a newer one is live, or the store gave it up): then its
   * ephemeral nodes are gone too.
   */
  boolean sessionEnded(long session);
}
