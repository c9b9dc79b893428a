package io.deeplakelock.lock;

import io.deeplakelock.bridge.LockMode;
import io.deeplakelock.lock.NodeStore.Code;
import io.deeplakelock.lock.NodeStore.Created;
import io.deeplakelock.lock.SimZooKeeper.Family;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A lock client of another process on one lock path, following its own protocol correctly: kazoo
 * ({@code <uuid>__lock__<seq>}, {@code __rlock__}) or Curator's read/write lock ({@code
 * __WRIT__}/{@code __READ__}). It recognises only its own family's nodes, ordered by sequence: a
 * writer holds when no contender precedes it, a reader when no writer precedes it. It waits with a
 * children watch, and creates a new node if its own disappeared while it waited (kazoo's retry).
 */
final class SimForeignContender {

  enum State {
    IDLE,
    CREATING,
    LISTING,
    WAITING,
    HOLDING,
    RELEASING
  }

  final String name;
  final SimClient client;
  final String lockPath;
  private final Pattern contender;
  private final Consumer<SimForeignContender> onGrant;
  private final Runnable onChange = this::changed;

  State state = State.IDLE;
  LockMode mode = LockMode.WRITE;

  /** Our node's path and token while we have one. */
  String node;

  long token;

  /** Steps left to hold, once holding. */
  int holdSteps;

  /** Whether it starts new acquisitions (false in the quiescence phase). */
  boolean active = true;

  int grants;

  SimForeignContender(
      String name, SimClient client, String lockPath, Consumer<SimForeignContender> onGrant) {
    this.name = name;
    this.client = client;
    this.lockPath = lockPath;
    this.onGrant = onGrant;
    Family family = client.family;
    this.contender = Pattern.compile("(" + family.write + "|" + family.read + ")(-?\\d{10})$");
  }

  /** Whether {@link #step} has something to do. */
  boolean canStep() {
    return (state == State.IDLE && active) || state == State.HOLDING;
  }

  /** Starts an acquisition in {@code mode} when idle, or counts down a hold and releases. */
  void step(LockMode next, int hold) {
    if (state == State.IDLE) {
      mode = next;
      holdSteps = hold;
      create();
    } else if (state == State.HOLDING && --holdSteps <= 0) {
      state = State.RELEASING;
      client.delete(node, client.session.id, (code, v, d) -> released());
    }
  }

  /** Whether it holds the lock on a node that still exists on the server. */
  boolean holdsLiveNode() {
    return state == State.HOLDING && client.server.node(node) != null;
  }

  private void create() {
    state = State.CREATING;
    String prefix =
        client.family == Family.KAZOO
            ? client.server.uuid().replace("-", "") + client.family.marker(mode)
            : "_c_" + client.server.uuid() + "-" + client.family.marker(mode);
    client.createNamed(lockPath, prefix, this::created);
  }

  private void created(Code code, Created created, String detail) {
    if (code != Code.OK) {
      throw new IllegalStateException(name + ": create failed: " + code + " " + detail);
    }
    node = created.path;
    token = created.czxid;
    list();
  }

  private void list() {
    state = State.LISTING;
    client.children(lockPath, onChange, this::listed);
  }

  private void listed(Code code, List<String> children, String detail) {
    if (state != State.LISTING) {
      return;
    }
    if (code != Code.OK && code != Code.NO_NODE) {
      throw new IllegalStateException(name + ": listing failed: " + code + " " + detail);
    }
    String ours = node.substring(lockPath.length() + 1);
    if (code == Code.NO_NODE || !children.contains(ours)) {
      create();
      return;
    }
    String ourSequence = sequence(ours);
    boolean blocked = false;
    for (String child : children) {
      Matcher m = contender.matcher(child);
      if (!m.find() || child.equals(ours)) {
        continue;
      }
      boolean write = m.group(1).equals(client.family.write);
      if (m.group(2).compareTo(ourSequence) < 0 && (mode == LockMode.WRITE || write)) {
        blocked = true;
        break;
      }
    }
    if (blocked) {
      state = State.WAITING;
      return;
    }
    state = State.HOLDING;
    grants++;
    onGrant.accept(this);
  }

  private String sequence(String child) {
    Matcher m = contender.matcher(child);
    if (!m.find()) {
      throw new IllegalStateException(name + ": our node is no contender: " + child);
    }
    return m.group(2);
  }

  private void changed() {
    if (state == State.WAITING) {
      list();
    }
  }

  private void released() {
    state = State.IDLE;
    node = null;
  }

  @Override
  public String toString() {
    return name + " " + state + (node == null ? "" : " " + mode + " " + node);
  }
}
