package io.deeplakelock.lock;

import io.deeplakelock.bridge.LockMode;
import io.deeplakelock.rules.AgentConfig;
import io.deeplakelock.rules.ZooKeeperSecurity;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.BackgroundCallback;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;

/**
 * The lock engines' {@link NodeStore} on a real ZooKeeper, through the agent's Curator client.
 *
 * <p><b>Threads.</b> While connected, a request goes straight to Curator's background API on the
 * calling thread (the engine calls only after releasing its lock): that queues it and returns.
 * While disconnected, Curator may reset its connection inside such a call, so requests are handed
 * to one named daemon thread instead and the caller never waits. Replies and watch notifications
 * arrive on the ZooKeeper handle's event thread, in the order ZooKeeper sends them; a request that
 * fails at once is answered on the thread that sent it. <b>Guarded by</b> {@link #pending}'s
 * monitor: the deletes waiting for the connection.
 *
 * <p><b>Removal beside creation.</b> Creates use Curator's protected mode, which finds a node whose
 * create reply was lost, or deletes it in the background. Deletes are retried here, not by
 * Curator's {@code guaranteed()}, so that the engine learns how each ended: retried after a
 * reconnection while the node's session lives; NO_NODE after an attempt whose reply was lost counts
 * as our own delete.
 *
 * <p><b>Why one class of over 400 lines.</b> It is the one translation between the engine's port
 * and Curator: every request kind, its error codes, the retried deletes and the NoAuth explanation
 * share the sender, the connection and the pending list, and splitting them would spread that.
 */
final class CuratorNodeStore implements NodeStore, AutoCloseable {

  /** A delete waiting for the connection to come back. */
  private static final class PendingDelete {
    final String path;
    final long session;
    final Reply<Void> reply;
    boolean ambiguous; // an attempt's reply was lost: it may have been applied

    PendingDelete(String path, long session, Reply<Void> reply) {
      this.path = path;
      this.session = session;
      this.reply = reply;
    }
  }

  private final ZkConnection connection;
  private final CuratorFramework client;
  private final AgentConfig.Protocol protocol;
  private final ExecutorService sender;
  private final List<PendingDelete> pending = new ArrayList<>();

  CuratorNodeStore(ZkConnection connection) {
    this.connection = connection;
    this.client = connection.client();
    this.protocol = connection.config().protocol();
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            1,
            1,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<Runnable>(),
            new DaemonThreads("zk-requests"));
    executor.allowCoreThreadTimeOut(true);
    this.sender = executor;
    connection.addListener(this::onConnection);
  }

  @Override
  public long liveSession() {
    return connection.liveSession();
  }

  @Override
  public boolean sessionEnded(long session) {
    return connection.sessionEnded(session);
  }

  @Override
  public void create(String lockPath, LockMode mode, byte[] data, Reply<Created> reply) {
    send(
        reply,
        () ->
            client
                .create()
                .storingStatIn(new Stat())
                .creatingParentsIfNeeded()
                .withProtection()
                .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                .inBackground((c, event) -> onCreated(event, lockPath, reply))
                .forPath(lockPath + "/" + LockNodeName.prefix(protocol, mode), data));
  }

  private void onCreated(CuratorEvent event, String lockPath, Reply<Created> reply) {
    int rc = event.getResultCode();
    if (rc != KeeperException.Code.OK.intValue()) {
      fail(reply, rc, lockPath);
      return;
    }
    String path = event.getName();
    long session = connection.liveSession();
    Stat stat = event.getStat();
    if (stat != null && stat.getCzxid() != 0) {
      reply.done(Code.OK, new Created(path, stat.getCzxid(), session), null);
      return;
    }
    // Curator found our node again after a lost reply, without its stat: read it.
    send(
        reply,
        () ->
            client
                .checkExists()
                .inBackground(
                    (c, e) -> {
                      if (e.getStat() == null) {
                        fail(reply, e.getResultCode(), path);
                      } else {
                        reply.done(
                            Code.OK, new Created(path, e.getStat().getCzxid(), session), null);
                      }
                    })
                .forPath(path));
  }

  @Override
  public void children(String lockPath, Runnable onChange, Reply<List<String>> reply) {
    BackgroundCallback listed =
        (c, event) -> {
          int rc = event.getResultCode();
          if (rc == KeeperException.Code.OK.intValue()) {
            reply.done(Code.OK, event.getChildren(), null);
          } else {
            fail(reply, rc, lockPath);
          }
        };
    send(
        reply,
        () -> {
          if (onChange == null) {
            client.getChildren().inBackground(listed).forPath(lockPath);
          } else {
            client
                .getChildren()
                .usingWatcher(new ChangeWatcher(onChange))
                .inBackground(listed)
                .forPath(lockPath);
          }
        });
  }

  @Override
  public void watchNode(String nodePath, Runnable onGone, Reply<byte[]> reply) {
    send(reply, () -> readAndWatch(nodePath, new GoneWatcher(this, nodePath, onGone), reply));
  }

  private void readAndWatch(String nodePath, Watcher watcher, Reply<byte[]> reply)
      throws Exception {
    client
        .getData()
        .usingWatcher(watcher)
        .inBackground(
            (c, event) -> {
              int rc = event.getResultCode();
              if (rc == KeeperException.Code.OK.intValue()) {
                byte[] data = event.getData();
                reply.done(Code.OK, data == null ? new byte[0] : data, null);
              } else {
                fail(reply, rc, nodePath);
              }
            })
        .forPath(nodePath);
  }

  @Override
  public void delete(String nodePath, long session, Reply<Void> reply) {
    PendingDelete p = new PendingDelete(nodePath, session, reply);
    send(reply, () -> attemptDelete(p));
  }

  private void attemptDelete(PendingDelete p) throws Exception {
    if (connection.sessionEnded(p.session)) {
      p.reply.done(Code.SESSION_EXPIRED, null, "the ZooKeeper session expired");
      return;
    }
    if (connection.liveSession() != p.session) {
      synchronized (pending) {
        pending.add(p); // sent again when the session's connection is back
      }
      if (connection.liveSession() == p.session) {
        onConnection(p.session); // it came back while we queued
      }
      return;
    }
    client.delete().inBackground((c, event) -> onDeleted(p, event.getResultCode())).forPath(p.path);
  }

  private void onDeleted(PendingDelete p, int rc) {
    KeeperException.Code code = KeeperException.Code.get(rc);
    switch (code) {
      case OK:
        p.reply.done(Code.OK, null, null);
        return;
      case NONODE:
        p.reply.done(p.ambiguous ? Code.OK : Code.NO_NODE, null, null);
        return;
      case SESSIONEXPIRED:
        p.reply.done(Code.SESSION_EXPIRED, null, "the ZooKeeper session expired");
        return;
      case CONNECTIONLOSS:
      case OPERATIONTIMEOUT:
      case SESSIONMOVED:
        p.ambiguous = true;
        send(p.reply, () -> attemptDelete(p));
        return;
      default:
        fail(p.reply, rc, p.path);
    }
  }

  /** On the event thread: sends the deletes that waited for this session; ends the others'. */
  private void onConnection(long live) {
    if (live == 0) {
      return;
    }
    List<PendingDelete> ready = new ArrayList<>();
    synchronized (pending) {
      for (Iterator<PendingDelete> it = pending.iterator(); it.hasNext(); ) {
        PendingDelete p = it.next();
        if (p.session == live || connection.sessionEnded(p.session)) {
          ready.add(p);
          it.remove();
        }
      }
    }
    for (PendingDelete p : ready) {
      send(p.reply, () -> attemptDelete(p));
    }
  }

  /**
   * Sends a request: on this thread while connected, else on the sender thread; a failure to send
   * becomes the request's reply.
   */
  private void send(Reply<?> reply, Request request) {
    if (connection.liveSession() != 0) {
      try {
        request.send();
      } catch (Exception | Error e) {
        reply.done(Code.OTHER, null, e.getClass().getSimpleName() + ": " + e.getMessage());
      }
      return;
    }
    try {
      sender.execute(
          () -> {
            try {
              request.send();
            } catch (Exception | Error e) {
              reply.done(Code.OTHER, null, e.getClass().getSimpleName() + ": " + e.getMessage());
            }
          });
    } catch (RejectedExecutionException e) {
      reply.done(Code.OTHER, null, "the agent's ZooKeeper client is closed");
    }
  }

  /** One ZooKeeper request, sent from the sender thread. */
  private interface Request {
    void send() throws Exception;
  }

  private void fail(Reply<?> reply, int rc, String path) {
    KeeperException.Code code = KeeperException.Code.get(rc);
    switch (code) {
      case NONODE:
        reply.done(Code.NO_NODE, null, "no node " + path);
        return;
      case CONNECTIONLOSS:
      case OPERATIONTIMEOUT:
      case SESSIONMOVED:
        reply.done(Code.CONNECTION_LOSS, null, "the connection to ZooKeeper was lost");
        return;
      case SESSIONEXPIRED:
        reply.done(Code.SESSION_EXPIRED, null, "the ZooKeeper session expired");
        return;
      case NOAUTH:
      case INVALIDACL:
      case AUTHFAILED:
        reply.done(
            Code.NO_AUTH, null, explain(connection, KeeperException.create(code, path), path));
        return;
      default:
        KeeperException e = KeeperException.create(code, path);
        reply.done(Code.OTHER, null, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  /**
   * Runs a node's callback when it is deleted; a change of its data (nobody should make one) only
   * renews the watch.
   */
  private static final class GoneWatcher implements Watcher {
    private final CuratorNodeStore store;
    private final String path;
    private final Runnable onGone;

    GoneWatcher(CuratorNodeStore store, String path, Runnable onGone) {
      this.store = store;
      this.path = path;
      this.onGone = onGone;
    }

    @Override
    public void process(WatchedEvent event) {
      if (event.getType() == Event.EventType.NodeDeleted) {
        onGone.run();
      } else if (event.getType() != Event.EventType.None) {
        Reply<byte[]> renewed =
            (code, exists, detail) -> {
              if (code == Code.NO_NODE) {
                onGone.run();
              }
            };
        store.send(renewed, () -> store.readAndWatch(path, this, renewed));
      }
    }
  }

  /** Runs the watched listing's change callback on real changes, never on connection events. */
  private static final class ChangeWatcher implements Watcher {
    private final Runnable onChange;

    ChangeWatcher(Runnable onChange) {
      this.onChange = onChange;
    }

    @Override
    public void process(WatchedEvent event) {
      if (event.getType() != Event.EventType.None) {
        onChange.run();
      }
    }

    // One registration per engine: ZooKeeper keeps a set of watchers per path.
    @Override
    public boolean equals(Object o) {
      return o instanceof ChangeWatcher && ((ChangeWatcher) o).onChange == onChange;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(onChange);
    }
  }

  /** What an ACL refusal means for this agent, naming its identity (never its secret). */
  private static String explain(ZkConnection connection, KeeperException e, String path) {
    ZooKeeperSecurity security = connection.config().security();
    String identity;
    switch (security.scheme()) {
      case DIGEST:
        identity = "digest user '" + security.digestUser() + "'";
        break;
      case SASL:
        identity = "the SASL identity of JAAS section '" + security.saslSection() + "'";
        break;
      default:
        identity = "no identity (zookeeper.auth is not set)";
    }
    if (e instanceof KeeperException.NoAuthException) {
      return "ZooKeeper refused access to "
          + e.getPath()
          + " (NoAuth): its parent's ACL does not let this agent, authenticated with "
          + identity
          + ", create or delete there. Give the agent the identity that created "
          + path
          + ", or change the ACL (zkCli.sh: getAcl "
          + path
          + ")";
    }
    return "ZooKeeper refused the ACL '"
        + security.acl().label()
        + "' on "
        + e.getPath()
        + " (InvalidACL): this connection has no authenticated identity to give the node to;"
        + " check zookeeper.auth, and the log for an authentication failure";
  }

  @Override
  public void close() {
    sender.shutdownNow();
  }
}
