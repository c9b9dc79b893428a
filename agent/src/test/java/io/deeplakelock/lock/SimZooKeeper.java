package io.deeplakelock.lock;

import io.deeplakelock.bridge.LockMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * An in-memory ZooKeeper server for the simulation harness: persistent lock paths, ephemeral
 * sequential children, sessions, a global zxid and one-shot children watches.
 *
 * <p>Nothing here runs by itself. Each {@link SimClient} queues its requests; the caller (a
 * scheduler, or a scripted test) chooses when the server applies the next request of a client
 * ({@link SimClient#applyNext()}), when the client receives its next reply or event ({@link
 * SimClient#deliverNext()}), and when a fault happens. All of it runs on the caller's thread, so a
 * seed replays exactly.
 *
 * <p>What is modelled, as ZooKeeper 3.6+ and Curator 5 behave: a per-parent sequence counter
 * (10-digit, zero-padded, restarting when the parent is re-created), czxid of every node, pzxid of
 * every parent, per-session FIFO request and reply order, watch events ordered with replies,
 * watches dropped by the server with the connection and re-registered by the client on reconnect
 * (fired at once when the children changed meanwhile), ephemeral nodes deleted when the server
 * expires a session.
 */
final class SimZooKeeper {

  /** Node naming: the markers a family of lock clients writes and recognises. */
  enum Family {
    KAZOO("__lock__", "__rlock__"),
    CURATOR("__WRIT__", "__READ__");

    final String write;
    final String read;

    Family(String write, String read) {
      this.write = write;
      this.read = read;
    }

    String marker(LockMode mode) {
      return mode == LockMode.WRITE ? write : read;
    }
  }

  /** A persistent lock path, the parent of lock nodes. */
  static final class Parent {
    final String path;
    final long czxid;

    /** The sequence counter (ZooKeeper's cversion): restarts when the parent is re-created. */
    int sequence;

    /** The zxid of the last change of the children. */
    long pzxid;

    final TreeMap<String, Node> children = new TreeMap<>();

    /** Clients whose connection has a children watch on this path. */
    final LinkedHashSet<SimClient> watchers = new LinkedHashSet<>();

    Parent(String path, long czxid) {
      this.path = path;
      this.czxid = czxid;
      this.pzxid = czxid;
    }
  }

  /** An ephemeral sequential lock node. */
  static final class Node {
    final Parent parent;
    final String name;
    final String path;
    final long czxid;
    final Session owner;

    /** The simulation step at which the node left the server, or -1 while it exists. */
    long deletedStep = -1;

    /** Clients whose connection has a watch on this node (a read that set one). */
    final LinkedHashSet<SimClient> watchers = new LinkedHashSet<>();

    String deletedBy;

    Node(Parent parent, String name, long czxid, Session owner) {
      this.parent = parent;
      this.name = name;
      this.path = parent.path + "/" + name;
      this.czxid = czxid;
      this.owner = owner;
    }

    boolean exists() {
      return deletedStep < 0;
    }

    @Override
    public String toString() {
      return name + "(czxid " + czxid + (exists() ? "" : ", gone: " + deletedBy) + ")";
    }
  }

  /** A session as the server sees it. */
  static final class Session {
    final long id;
    final SimClient client;

    /** The server expired the session: its ephemeral nodes are gone. */
    boolean expired;

    final LinkedHashSet<Node> ephemerals = new LinkedHashSet<>();

    Session(long id, SimClient client) {
      this.id = id;
      this.client = client;
    }
  }

  final Random random;
  long zxid;

  /**
   * The harness's current step number, stamped on deletions and signs of loss; a scripted test may
   * leave it at 0 or count on its own.
   */
  long step;

  private long nextSession = 0x5100;
  final Map<String, Parent> parents = new HashMap<>();
  final Map<String, Node> nodes = new HashMap<>();

  /** Every node ever created, live or not, by path (our node names are unique by their UUID). */
  final Map<String, Node> history = new HashMap<>();

  final List<SimClient> clients = new ArrayList<>();
  final List<Session> sessions = new ArrayList<>();

  SimZooKeeper(Random random) {
    this.random = random;
  }

  /** A new client, connected in a new session. */
  SimClient client(String name, Family family) {
    SimClient client = new SimClient(this, name, family);
    clients.add(client);
    return client;
  }

  Session newSession(SimClient client) {
    Session session = new Session(nextSession++, client);
    sessions.add(session);
    return session;
  }

  // ---- the tree ------------------------------------------------------------------------------

  /** The live node at {@code path}, or null. */
  Node node(String path) {
    return nodes.get(path);
  }

  /** The children of {@code lockPath}, by name; empty when the path does not exist. */
  List<Node> children(String lockPath) {
    Parent parent = parents.get(lockPath);
    return parent == null ? List.of() : new ArrayList<>(parent.children.values());
  }

  Parent ensureParent(String lockPath) {
    Parent parent = parents.get(lockPath);
    if (parent == null) {
      parent = new Parent(lockPath, ++zxid);
      parents.put(lockPath, parent);
    }
    return parent;
  }

  /** Applies an ephemeral sequential create: {@code prefix} + the parent's 10-digit sequence. */
  Node createNode(Session owner, String lockPath, String prefix) {
    Parent parent = ensureParent(lockPath);
    String name = prefix + String.format("%010d", parent.sequence++);
    Node node = new Node(parent, name, ++zxid, owner);
    parent.children.put(name, node);
    parent.pzxid = node.czxid;
    nodes.put(node.path, node);
    history.put(node.path, node);
    owner.ephemerals.add(node);
    fireChildWatches(parent, node, false);
    return node;
  }

  /** Applies a delete: the node leaves the tree and the path's watchers are notified. */
  void deleteNode(Node node, String by) {
    if (!node.exists()) {
      return;
    }
    node.deletedStep = step;
    node.deletedBy = by;
    nodes.remove(node.path);
    node.parent.children.remove(node.name);
    node.owner.ephemerals.remove(node);
    node.parent.pzxid = ++zxid;
    // As ZooKeeper does: the node's own watches first, then its parent's children watches.
    for (SimClient client : node.watchers) {
      client.nodeWatchFired(node, zxid);
    }
    node.watchers.clear();
    fireChildWatches(node.parent, node, true);
  }

  /** An operator deletes an empty lock path; false when it has children or does not exist. */
  boolean deleteParent(String lockPath) {
    Parent parent = parents.get(lockPath);
    if (parent == null || !parent.children.isEmpty()) {
      return false;
    }
    parents.remove(lockPath);
    ++zxid;
    fireChildWatches(parent, null, true);
    return true;
  }

  private void fireChildWatches(Parent parent, Node cause, boolean deletion) {
    if (parent.watchers.isEmpty()) {
      return;
    }
    for (SimClient client : parent.watchers) {
      client.watchFired(parent.path, cause, deletion, zxid);
    }
    parent.watchers.clear();
  }

  /**
   * Server-side expiry of a session: its ephemeral nodes are deleted at once and the watches of
   * other clients fire. The client learns of it when it reconnects.
   */
  void expire(Session session) {
    if (session.expired) {
      return;
    }
    session.expired = true;
    for (Node node : new ArrayList<>(session.ephemerals)) {
      deleteNode(node, "session 0x" + Long.toHexString(session.id) + " expired");
    }
    if (session.client.session == session) {
      // The watches belong to the client's connection, which is the session's only while the
      // client has not moved on to a newer session.
      for (Parent parent : parents.values()) {
        parent.watchers.remove(session.client);
      }
      for (Node node : nodes.values()) {
        node.watchers.remove(session.client);
      }
    }
  }

  /** A random UUID from the simulation's seed, so that names replay. */
  String uuid() {
    return new java.util.UUID(random.nextLong(), random.nextLong()).toString();
  }

  /** The live nodes below {@code lockPath} that {@code client} created, in any of its sessions. */
  List<Node> nodesOf(SimClient client, String lockPath) {
    List<Node> out = new ArrayList<>();
    Parent parent = parents.get(lockPath);
    if (parent != null) {
      for (Node node : parent.children.values()) {
        if (node.owner.client == client) {
          out.add(node);
        }
      }
    }
    return out;
  }
}
