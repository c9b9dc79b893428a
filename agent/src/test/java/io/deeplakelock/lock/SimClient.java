package io.deeplakelock.lock;

import io.deeplakelock.bridge.LockMode;
import io.deeplakelock.lock.SimZooKeeper.Family;
import io.deeplakelock.lock.SimZooKeeper.Node;
import io.deeplakelock.lock.SimZooKeeper.Parent;
import io.deeplakelock.lock.SimZooKeeper.Session;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * One simulated ZooKeeper client handle (a Curator client with its ZooKeeper session), as the lock
 * engine sees it through {@link NodeStore}.
 *
 * <p>Requests wait in {@link #inbound} until the server applies them ({@link #applyNext()});
 * replies, watch notifications and connection events wait in {@link #outbound} until the client
 * receives them ({@link #deliverNext()}), which runs the callbacks as the store's event thread
 * would. Both queues are FIFO, as one ZooKeeper session orders them.
 *
 * <p>Connection faults ({@link #disconnect}, {@link #reconnect()}, {@link #giveUpSession()}, and
 * the server's {@link SimZooKeeper#expire}) follow ZooKeeper's client: the server drops the
 * connection's watches, the client keeps its own and re-registers them on reconnecting in the same
 * session. Deletes are guaranteed (parked and retried while the session lives) and protected
 * creates leave no orphans (found again, or their node removed after the reconnection).
 *
 * <p>The client also records, per lock node it was told it created, the first sign of the node's
 * loss that it delivered to the engine: a listing without the node, the node's own watch event of
 * its deletion (a children watch event names no child in ZooKeeper, so it is no sign), a read that
 * found it gone, a disconnection or a session change. The harness checks grants and call outcomes
 * against these.
 */
final class SimClient implements NodeStore {

  enum Kind {
    CREATE,
    CHILDREN,
    /** A read of one node that leaves a watch on it. */
    NODE,
    DELETE,
    /** Removal of a protected create's orphan: the store's own request, nobody waits for it. */
    CLEANUP
  }

  /** One request, from sending to its reply. */
  static final class Request {
    final Kind kind;
    final String path;

    /** For creates: the name before the sequence; for children: the watch. */
    final String prefix;

    final Runnable watch;
    final Reply<?> reply;

    /** The server applied it (in the current attempt). */
    boolean applied;

    /** For creates: the node the server made. */
    Node node;

    Request(Kind kind, String path, String prefix, Runnable watch, Reply<?> reply) {
      this.kind = kind;
      this.path = path;
      this.prefix = prefix;
      this.watch = watch;
      this.reply = reply;
    }

    @Override
    public String toString() {
      return kind.name().toLowerCase() + " " + (kind == Kind.CREATE ? path + "/" + prefix : path);
    }
  }

  /** Something for the client to receive: a reply, a watch notification, a connection event. */
  abstract class Delivery {
    /** The server's zxid when sent; 0 for events the client makes itself. */
    final long zxid;

    Delivery(long zxid) {
      this.zxid = zxid;
    }

    boolean local() {
      return zxid == 0;
    }

    abstract void deliver();
  }

  final class ReplyDelivery extends Delivery {
    final Request request;
    final Code code;
    final Object value;
    final String detail;

    /** Its read's watch is registered on the client already (see {@link #registerWatch}). */
    boolean watchRegistered;

    ReplyDelivery(long zxid, Request request, Code code, Object value, String detail) {
      super(zxid);
      this.request = request;
      this.code = code;
      this.value = value;
      this.detail = detail;
    }

    @Override
    @SuppressWarnings("unchecked")
    void deliver() {
      noteReply(this);
      if (request.reply != null) {
        ((Reply<Object>) request.reply).done(code, value, detail);
      }
    }

    @Override
    public String toString() {
      return "reply " + code + " to " + request + (detail == null ? "" : " (" + detail + ")");
    }
  }

  final class WatchDelivery extends Delivery {
    final String path;

    /** The change that fired it, or null when fired on re-registration or the path's deletion. */
    final Node cause;

    final boolean deletion;

    WatchDelivery(long zxid, String path, Node cause, boolean deletion) {
      super(zxid);
      this.path = path;
      this.cause = cause;
      this.deletion = deletion;
    }

    @Override
    void deliver() {
      LinkedHashSet<Runnable> fired = childWatches.remove(path);
      if (fired != null) {
        for (Runnable watch : fired) {
          watch.run();
        }
      }
    }

    @Override
    public String toString() {
      String what = cause == null ? "" : (deletion ? " deleted " : " created ") + cause.name;
      return "watch " + path + what;
    }
  }

  /** A node's own watch: it was deleted. */
  final class NodeWatchDelivery extends Delivery {
    final Node node;

    NodeWatchDelivery(long zxid, Node node) {
      super(zxid);
      this.node = node;
    }

    @Override
    void deliver() {
      Known k = known.get(node.path);
      if (k != null) {
        sign(k, "watch event of its deletion");
      }
      LinkedHashSet<Runnable> fired = nodeWatches.remove(node.path);
      if (fired != null) {
        for (Runnable watch : fired) {
          watch.run();
        }
      }
    }

    @Override
    public String toString() {
      return "node watch: deleted " + node.name;
    }
  }

  final class ConnectionDelivery extends Delivery {
    final long live;

    ConnectionDelivery(long live) {
      super(0);
      this.live = live;
    }

    @Override
    void deliver() {
      noteConnection(live);
      for (ConnectionListener listener : listeners) {
        listener.connection(live);
      }
    }

    @Override
    public String toString() {
      return "connection " + (live == 0 ? "lost" : "0x" + Long.toHexString(live));
    }
  }

  /** A node this client was told it created, and the first sign of its loss it delivered. */
  static final class Known {
    final String path;
    final String lockPath;
    final long session;

    /** The step at which the first sign of loss was delivered, or -1. */
    long signStep = -1;

    String sign;

    /**
     * The sign not answered yet, or null: a disconnection is answered by a later listing that shows
     * the node (sent after the reconnection, in the same session); the others never are.
     */
    String openSign;

    boolean openIsDisconnection;

    Known(String path, String lockPath, long session) {
      this.path = path;
      this.lockPath = lockPath;
      this.session = session;
    }
  }

  final SimZooKeeper server;
  final String name;
  final Family family;
  Session session;
  private boolean connected = true;
  private boolean sessionGivenUp;
  private boolean toldDisconnected;

  /** Curator protected mode after a lost create reply: find it again (true) or remove it. */
  private boolean findCreatesAgain;

  /** The next create or children request the server applies fails with this code. */
  Code rejectNext;

  long lastZxid;
  final ArrayDeque<Request> inbound = new ArrayDeque<>();
  final ArrayDeque<Delivery> outbound = new ArrayDeque<>();

  /** Requests waiting for the reconnection: guaranteed deletes, protected creates. */
  final List<Request> parked = new ArrayList<>();

  final LinkedHashMap<String, LinkedHashSet<Runnable>> childWatches = new LinkedHashMap<>();
  final LinkedHashMap<String, LinkedHashSet<Runnable>> nodeWatches = new LinkedHashMap<>();
  final List<ConnectionListener> listeners = new ArrayList<>();
  final Map<String, Known> known = new HashMap<>();

  /** The known nodes that this client has not deleted yet, by lock path. */
  private final Map<String, Map<String, Known>> undeleted = new HashMap<>();

  SimClient(SimZooKeeper server, String name, Family family) {
    this.server = server;
    this.name = name;
    this.family = family;
    this.session = server.newSession(this);
    this.lastZxid = server.zxid;
  }

  void listen(ConnectionListener listener) {
    listeners.add(listener);
  }

  // ---- NodeStore -----------------------------------------------------------------------------

  @Override
  public void create(String lockPath, LockMode mode, byte[] data, Reply<Created> reply) {
    String prefix = "_c_" + server.uuid() + "-" + family.marker(mode);
    send(new Request(Kind.CREATE, lockPath, prefix, null, reply));
  }

  /** A create with a name of the caller's choosing (foreign clients: no protection prefix). */
  void createNamed(String lockPath, String prefix, Reply<Created> reply) {
    send(new Request(Kind.CREATE, lockPath, prefix, null, reply));
  }

  @Override
  public void children(String lockPath, Runnable onChange, Reply<List<String>> reply) {
    send(new Request(Kind.CHILDREN, lockPath, null, onChange, reply));
  }

  @Override
  public void watchNode(String nodePath, Runnable onGone, Reply<byte[]> reply) {
    send(new Request(Kind.NODE, nodePath, null, onGone, reply));
  }

  @Override
  public void delete(String nodePath, long session, Reply<Void> reply) {
    Request request = new Request(Kind.DELETE, nodePath, null, null, reply);
    if (sessionEnded(session)) {
      outbound.add(new ReplyDelivery(0, request, Code.SESSION_EXPIRED, null, "session ended"));
      return;
    }
    send(request);
  }

  @Override
  public long liveSession() {
    return connected ? session.id : 0;
  }

  @Override
  public boolean sessionEnded(long id) {
    return id != session.id || sessionGivenUp;
  }

  private void send(Request request) {
    if (connected) {
      inbound.add(request);
    } else if (request.kind == Kind.DELETE || request.kind == Kind.CLEANUP) {
      parked.add(request);
    } else {
      outbound.add(new ReplyDelivery(0, request, Code.CONNECTION_LOSS, null, "not connected"));
    }
  }

  // ---- the server side -----------------------------------------------------------------------

  boolean connected() {
    return connected;
  }

  /** Whether the client has delivered the news of its disconnection (expiry may follow). */
  boolean toldDisconnected() {
    return toldDisconnected;
  }

  boolean sessionGivenUp() {
    return sessionGivenUp;
  }

  /** The server applies this client's oldest request; false when there is none. */
  boolean applyNext() {
    Request request = inbound.poll();
    if (request == null) {
      return false;
    }
    apply(request);
    return true;
  }

  private void apply(Request request) {
    if (rejectNext != null && request.kind != Kind.DELETE && request.kind != Kind.CLEANUP) {
      Code code = rejectNext;
      rejectNext = null;
      reply(request, code, null, "rejected: " + code);
      return;
    }
    switch (request.kind) {
      case CREATE:
        {
          Node node = server.createNode(session, request.path, request.prefix);
          request.applied = true;
          request.node = node;
          reply(request, Code.OK, new Created(node.path, node.czxid, session.id), null);
          return;
        }
      case CHILDREN:
        {
          Parent parent = server.parents.get(request.path);
          if (parent == null) {
            reply(request, Code.NO_NODE, null, "no node " + request.path);
            return;
          }
          request.applied = true;
          if (request.watch != null) {
            parent.watchers.add(this);
          }
          List<String> names = new ArrayList<>(parent.children.keySet());
          Collections.shuffle(names, server.random);
          reply(request, Code.OK, names, null);
          return;
        }
      case NODE:
        {
          Node node = server.node(request.path);
          request.applied = true;
          if (node == null) {
            reply(request, Code.NO_NODE, null, "no node " + request.path);
            return;
          }
          node.watchers.add(this);
          reply(request, Code.OK, new byte[0], null); // the simulated nodes carry no data
          return;
        }
      default:
        {
          Node node = server.node(request.path);
          request.applied = true;
          if (node == null) {
            if (request.kind == Kind.DELETE) {
              reply(request, Code.NO_NODE, null, "no node " + request.path);
            }
            return;
          }
          server.deleteNode(node, name);
          if (request.kind == Kind.DELETE) {
            reply(request, Code.OK, null, null);
          }
        }
    }
  }

  private void reply(Request request, Code code, Object value, String detail) {
    outbound.add(new ReplyDelivery(server.zxid, request, code, value, detail));
  }

  /** Makes the oldest request fail with {@code code} (e.g. NO_AUTH) without applying it. */
  boolean rejectHead(Code code) {
    Request head = inbound.peek();
    if (head == null || head.kind == Kind.DELETE || head.kind == Kind.CLEANUP) {
      return false;
    }
    inbound.poll();
    reply(head, code, null, "rejected: " + code);
    return true;
  }

  void watchFired(String path, Node cause, boolean deletion, long zxid) {
    outbound.add(new WatchDelivery(zxid, path, cause, deletion));
  }

  void nodeWatchFired(Node node, long zxid) {
    outbound.add(new NodeWatchDelivery(zxid, node));
  }

  // ---- the client side -----------------------------------------------------------------------

  /** The client receives and handles its next reply or event; false when there is none. */
  boolean deliverNext() {
    Delivery next = outbound.poll();
    if (next == null) {
      return false;
    }
    if (next.zxid > lastZxid) {
      lastZxid = next.zxid;
    }
    next.deliver();
    return true;
  }

  Delivery peekDelivery() {
    return outbound.peek();
  }

  /** The runnables registered for {@code path}'s children on this client. */
  int watchCount(String path) {
    LinkedHashSet<Runnable> set = childWatches.get(path);
    return set == null ? 0 : set.size();
  }

  /** The runnables registered for node watches on this client, over all paths. */
  int nodeWatchCount() {
    int count = 0;
    for (LinkedHashSet<Runnable> set : nodeWatches.values()) {
      count += set.size();
    }
    return count;
  }

  // ---- connection faults ---------------------------------------------------------------------

  /**
   * The connection drops. The server first applies up to {@code applied} of the waiting requests;
   * the client has received only the first {@code received} of the replies and events sent before
   * (the others, and the replies to the requests just applied, are lost). Lost replies become
   * CONNECTION_LOSS, except guaranteed deletes (retried on reconnection) and, when {@code
   * findAgain}, protected creates (found again, or sent again, on reconnection).
   */
  void disconnect(int applied, int received, boolean findAgain) {
    if (!connected) {
      throw new IllegalStateException(name + " is not connected");
    }
    findCreatesAgain = findAgain;
    int sent = outbound.size();
    for (int i = 0; i < applied && !inbound.isEmpty(); i++) {
      applyNext();
    }
    ArrayDeque<Delivery> kept = new ArrayDeque<>();
    List<Request> lost = new ArrayList<>();
    int index = 0;
    for (Delivery d : outbound) {
      if (index++ < Math.min(received, sent) || d.local()) {
        kept.add(d);
        if (d instanceof ReplyDelivery) {
          // ZooKeeper's client registers a read's watch when the reply comes off the socket, not
          // when its callback runs: a reconnection re-registers it even if not delivered yet.
          registerWatch((ReplyDelivery) d);
        }
        if (d.zxid > lastZxid) {
          lastZxid = d.zxid;
        }
      } else if (d instanceof ReplyDelivery) {
        lost.add(((ReplyDelivery) d).request);
      }
    }
    outbound.clear();
    outbound.addAll(kept);
    lost.addAll(inbound);
    inbound.clear();
    for (Parent parent : server.parents.values()) {
      parent.watchers.remove(this);
    }
    for (Node node : server.nodes.values()) {
      node.watchers.remove(this);
    }
    connected = false;
    for (Request request : lost) {
      switch (request.kind) {
        case CREATE:
          if (findCreatesAgain) {
            parked.add(request);
          } else {
            if (request.applied) {
              parked.add(new Request(Kind.CLEANUP, request.node.path, null, null, null));
            }
            outbound.add(new ReplyDelivery(0, request, Code.CONNECTION_LOSS, null, "reply lost"));
          }
          break;
        case CHILDREN:
        case NODE:
          outbound.add(new ReplyDelivery(0, request, Code.CONNECTION_LOSS, null, "reply lost"));
          break;
        default:
          parked.add(request);
      }
    }
    outbound.add(new ConnectionDelivery(0));
  }

  /**
   * The client connects again: in the same session if the server still has it, else (expired, or
   * given up by the client) in a new one, after failing what waited for the old session.
   */
  void reconnect() {
    if (connected) {
      throw new IllegalStateException(name + " is connected");
    }
    toldDisconnected = false;
    if (session.expired || sessionGivenUp) {
      if (!sessionGivenUp) {
        giveUpSession();
      }
      session = server.newSession(this);
      sessionGivenUp = false;
      connected = true;
      lastZxid = server.zxid;
      outbound.add(new ConnectionDelivery(session.id));
      return;
    }
    connected = true;
    outbound.add(new ConnectionDelivery(session.id));
    for (Map.Entry<String, LinkedHashSet<Runnable>> e : childWatches.entrySet()) {
      if (e.getValue().isEmpty()) {
        continue;
      }
      Parent parent = server.parents.get(e.getKey());
      if (parent == null) {
        watchFired(e.getKey(), null, true, server.zxid);
      } else if (parent.pzxid > lastZxid) {
        watchFired(e.getKey(), null, false, server.zxid);
      } else {
        parent.watchers.add(this);
      }
    }
    for (Map.Entry<String, LinkedHashSet<Runnable>> e : nodeWatches.entrySet()) {
      if (e.getValue().isEmpty()) {
        continue;
      }
      Node node = server.history.get(e.getKey());
      if (node != null && !node.exists()) {
        nodeWatchFired(node, server.zxid); // it went while we were away
      } else if (node != null) {
        node.watchers.add(this);
      }
    }
    List<Request> retry = new ArrayList<>(parked);
    parked.clear();
    for (Request request : retry) {
      if (request.kind == Kind.CREATE && request.applied && request.node.exists()) {
        Node node = request.node;
        reply(request, Code.OK, new Created(node.path, node.czxid, session.id), null);
        continue;
      }
      request.applied = false;
      request.node = null;
      inbound.add(request);
    }
  }

  /**
   * The client gives its session up while disconnected (Curator's LOST after the session timeout):
   * what waited for the session fails, its watches are dropped; the server keeps the session (and
   * its nodes) until it expires it.
   */
  void giveUpSession() {
    if (connected) {
      throw new IllegalStateException(name + " is connected");
    }
    sessionGivenUp = true;
    childWatches.clear();
    nodeWatches.clear();
    for (Request request : parked) {
      if (request.kind != Kind.CLEANUP) {
        outbound.add(new ReplyDelivery(0, request, Code.SESSION_EXPIRED, null, "session ended"));
      }
    }
    parked.clear();
  }

  /** Registers the watch a successful read left, once (a listing without a watch leaves none). */
  private void registerWatch(ReplyDelivery d) {
    Request request = d.request;
    if (d.code != Code.OK || request.watch == null || d.watchRegistered) {
      return;
    }
    d.watchRegistered = true;
    if (request.kind == Kind.CHILDREN) {
      childWatches.computeIfAbsent(request.path, p -> new LinkedHashSet<>()).add(request.watch);
    } else if (request.kind == Kind.NODE) {
      nodeWatches.computeIfAbsent(request.path, p -> new LinkedHashSet<>()).add(request.watch);
    }
  }

  // ---- signs of loss -------------------------------------------------------------------------

  /** The first sign of loss of {@code nodePath} delivered to the engine, or null. */
  Known known(String nodePath) {
    return known.get(nodePath);
  }

  private void noteReply(ReplyDelivery d) {
    Request request = d.request;
    if (d.code == Code.OK && request.kind == Kind.CREATE && request.reply != null) {
      Created created = (Created) d.value;
      Known k = new Known(created.path, request.path, created.session);
      known.put(k.path, k);
      undeleted.computeIfAbsent(request.path, p -> new HashMap<>()).put(k.path, k);
    } else if (d.code == Code.OK && request.kind == Kind.CHILDREN) {
      registerWatch(d);
      Map<String, Known> mine = undeleted.get(request.path);
      if (mine != null && !mine.isEmpty()) {
        @SuppressWarnings("unchecked")
        List<String> names = (List<String>) d.value;
        for (Known k : mine.values()) {
          if (!names.contains(k.path.substring(k.lockPath.length() + 1))) {
            sign(k, "listing without it");
          } else if (k.openIsDisconnection && k.session == session.id) {
            k.openSign = null;
            k.openIsDisconnection = false;
          }
        }
      }
    } else if (d.code == Code.OK && request.kind == Kind.NODE) {
      registerWatch(d);
    } else if (d.code == Code.NO_NODE && request.kind == Kind.NODE) {
      Known k = known.get(request.path);
      if (k != null) {
        sign(k, "a read that found it gone");
      }
    } else if (request.kind == Kind.DELETE) {
      Known k = known.get(request.path);
      if (k != null) {
        sign(k, "deleted by the engine (" + d.code + ")");
        Map<String, Known> mine = undeleted.get(k.lockPath);
        if (mine != null) {
          mine.remove(k.path);
        }
      }
    }
  }

  private void noteConnection(long live) {
    if (live != 0) {
      return;
    }
    toldDisconnected = true;
    for (Map<String, Known> mine : undeleted.values()) {
      for (Known k : mine.values()) {
        sign(k, "disconnected");
        if (k.openSign == null) {
          k.openSign = "disconnected at step " + server.step;
          k.openIsDisconnection = true;
        }
      }
    }
  }

  private void sign(Known k, String why) {
    if (k.signStep < 0) {
      k.signStep = server.step;
      k.sign = why + " at step " + server.step;
    }
    if (!why.equals("disconnected") && (k.openSign == null || k.openIsDisconnection)) {
      k.openSign = why + " at step " + server.step;
      k.openIsDisconnection = false;
    }
  }

  /** A short description of the client's queues, for traces. */
  String describe() {
    StringBuilder out = new StringBuilder(name);
    out.append(connected ? " 0x" + Long.toHexString(session.id) : " disconnected");
    out.append(" in=").append(inbound.size()).append(" out=").append(outbound.size());
    if (!parked.isEmpty()) {
      out.append(" parked=").append(parked.size());
    }
    return out.toString();
  }

  Iterator<Delivery> deliveries() {
    return outbound.iterator();
  }
}
