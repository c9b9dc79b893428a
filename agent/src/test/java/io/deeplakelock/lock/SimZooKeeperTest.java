package io.deeplakelock.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.bridge.LockMode;
import io.deeplakelock.lock.NodeStore.Code;
import io.deeplakelock.lock.NodeStore.Created;
import io.deeplakelock.lock.SimZooKeeper.Family;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Unit tests for {@link SimZooKeeper}, {@link SimClient}, {@link SimClock} and foreign clients. */
class SimZooKeeperTest {

  private static final String PATH = "/deeplake/ds";

  private SimZooKeeper server;
  private SimClient a;
  private SimClient b;
  private final List<String> log = new ArrayList<>();

  @BeforeEach
  void setUp() {
    server = new SimZooKeeper(new Random(1));
    a = server.client("a", Family.KAZOO);
    b = server.client("b", Family.KAZOO);
    a.listen(live -> log.add("a connection " + live));
    b.listen(live -> log.add("b connection " + live));
  }

  /** Applies every request and delivers every reply and event, until nothing moves. */
  private void settle() {
    boolean moved = true;
    while (moved) {
      moved = false;
      for (SimClient c : server.clients) {
        moved |= c.applyNext();
        moved |= c.deliverNext();
      }
    }
  }

  private Created[] create(SimClient client, LockMode mode) {
    Created[] out = new Created[1];
    client.create(PATH, mode, new byte[0], (code, value, detail) -> out[0] = value);
    return out;
  }

  private Runnable watch(String name) {
    return () -> log.add(name + " fired");
  }

  @Test
  void nodesAreProtectedSequentialAndCarryIncreasingTokens() {
    Created[] w = create(a, LockMode.WRITE);
    Created[] r = create(b, LockMode.READ);
    assertNull(w[0], "no reply before the step that delivers it");
    settle();
    String wName = w[0].path.substring(PATH.length() + 1);
    String rName = r[0].path.substring(PATH.length() + 1);
    assertTrue(wName.matches("_c_[0-9a-f-]{36}-__lock__0000000000"), wName);
    assertTrue(rName.matches("_c_[0-9a-f-]{36}-__rlock__0000000001"), rName);
    assertTrue(LockNodeName.parse(wName).write);
    assertFalse(LockNodeName.parse(rName).write);
    assertTrue(w[0].czxid < r[0].czxid);
    assertEquals(a.session.id, w[0].session);
  }

  @Test
  void sequenceRestartsWhenTheParentIsRecreatedButTokensDoNot() {
    Created[] first = create(a, LockMode.WRITE);
    settle();
    a.delete(first[0].path, first[0].session, (c, v, d) -> {});
    settle();
    assertTrue(server.deleteParent(PATH));
    Created[] second = create(a, LockMode.WRITE);
    settle();
    assertTrue(second[0].path.endsWith("__lock__0000000000"));
    assertTrue(second[0].czxid > first[0].czxid);
  }

  @Test
  void listingWithoutAWatchLeavesNoneAndANodeWatchFiresOnItsDeletion() {
    create(a, LockMode.WRITE);
    settle();
    String first = server.children(PATH).get(0).path;
    b.children(PATH, null, (c, v, d) -> log.add("b listed " + v.size()));
    b.watchNode(first, watch("b's predecessor"), (c, v, d) -> log.add("b watches " + c));
    settle();
    assertEquals(0, b.watchCount(PATH));
    create(a, LockMode.READ);
    settle();
    assertEquals(List.of("b listed 1", "b watches OK"), log, "no children watch fired");
    server.deleteNode(server.node(first), "test");
    settle();
    assertEquals(List.of("b listed 1", "b watches OK", "b's predecessor fired"), log);
    assertEquals(0, b.nodeWatchCount(), "a node watch fires once");
  }

  @Test
  void watchFiresOnceBeforeLaterRepliesAndDeduplicatesItsRunnable() {
    Runnable w = watch("a");
    a.children(PATH, w, (c, v, d) -> log.add("a listed " + c));
    settle();
    create(a, LockMode.WRITE);
    settle();
    assertEquals(List.of("a listed NO_NODE"), log, "no watch is left on a missing path");
    log.clear();
    a.children(PATH, w, (c, v, d) -> log.add("a listed " + v.size()));
    a.children(PATH, w, (c, v, d) -> log.add("a listed " + v.size()));
    settle();
    assertEquals(1, a.watchCount(PATH));
    create(b, LockMode.READ);
    b.applyNext();
    a.children(PATH, watch("late"), (c, v, d) -> log.add("a listed " + v.size()));
    a.applyNext();
    settle();
    assertEquals(List.of("a listed 1", "a listed 1", "a fired", "a listed 2"), log);
    assertEquals(1, a.watchCount(PATH), "the late listing's watch is still registered");
  }

  @Test
  void createWhoseReplyIsLostIsRemovedAfterReconnection() {
    Code[] code = new Code[1];
    a.create(PATH, LockMode.WRITE, new byte[0], (c, v, d) -> code[0] = c);
    a.disconnect(1, 0, false);
    assertEquals(0, a.liveSession());
    assertEquals(1, server.children(PATH).size(), "applied, its reply lost");
    settle();
    assertEquals(Code.CONNECTION_LOSS, code[0]);
    assertEquals(List.of("a connection 0"), log);
    assertTrue(a.toldDisconnected());
    a.reconnect();
    settle();
    assertEquals(List.of("a connection 0", "a connection " + a.session.id), log);
    assertEquals(0, server.children(PATH).size(), "the orphan is removed");
  }

  @Test
  void createWhoseReplyIsLostIsFoundAgainAfterReconnection() {
    Created[] w = create(a, LockMode.WRITE);
    a.disconnect(1, 0, true);
    settle();
    assertNull(w[0]);
    a.reconnect();
    settle();
    assertNotNull(w[0]);
    assertEquals(server.children(PATH).get(0).path, w[0].path);
  }

  @Test
  void deleteIsRetriedAcrossTheDisconnectionAndFailsWithTheSession() {
    Created[] w = create(a, LockMode.WRITE);
    settle();
    Code[] code = new Code[1];
    a.delete(w[0].path, w[0].session, (c, v, d) -> code[0] = c);
    a.disconnect(0, 0, false);
    settle();
    assertNull(code[0], "a guaranteed delete waits for the session");
    a.reconnect();
    settle();
    assertEquals(Code.OK, code[0]);

    Created[] again = create(a, LockMode.WRITE);
    settle();
    a.delete(again[0].path, again[0].session, (c, v, d) -> code[0] = c);
    a.disconnect(1, 0, false);
    settle();
    a.reconnect();
    settle();
    assertEquals(Code.NO_NODE, code[0], "applied before the drop, retried after it");
  }

  @Test
  void serverSideExpiryDeletesNodesAtOnceAndTheClientLearnsOnReconnection() {
    Created[] w = create(a, LockMode.WRITE);
    b.children(PATH, watch("b"), (c, v, d) -> {});
    settle();
    long old = a.session.id;
    Code[] code = new Code[1];
    a.delete(w[0].path, w[0].session, (c, v, d) -> code[0] = c);
    a.disconnect(0, 0, false);
    settle();
    server.expire(a.session);
    assertTrue(server.children(PATH).isEmpty());
    assertFalse(a.sessionEnded(old), "the client does not know yet");
    settle();
    assertTrue(log.contains("b fired"));
    a.reconnect();
    settle();
    assertNotEquals(old, a.session.id);
    assertTrue(a.sessionEnded(old));
    assertEquals(Code.SESSION_EXPIRED, code[0]);
    assertEquals("a connection " + a.session.id, log.get(log.size() - 1));
  }

  @Test
  void givenUpSessionKeepsItsNodesOnTheServerUntilExpiry() {
    create(a, LockMode.WRITE);
    settle();
    long old = a.session.id;
    a.disconnect(0, 0, false);
    settle();
    a.giveUpSession();
    assertTrue(a.sessionEnded(old));
    assertEquals(1, server.children(PATH).size());
    a.reconnect();
    settle();
    assertEquals(1, server.children(PATH).size());
    server.expire(server.sessions.stream().filter(s -> s.id == old).findFirst().get());
    assertTrue(server.children(PATH).isEmpty());
  }

  @Test
  void watchIsReRegisteredOnReconnectionAndFiresWhenChildrenChangedMeanwhile() {
    a.children(PATH, watch("a"), (c, v, d) -> {});
    create(b, LockMode.WRITE);
    settle();
    a.children(PATH, watch("a"), (c, v, d) -> {});
    settle();
    a.disconnect(0, 0, false);
    settle();
    a.reconnect();
    settle();
    assertFalse(log.contains("a fired"), "nothing changed meanwhile");
    a.disconnect(0, 0, false);
    create(b, LockMode.READ);
    settle();
    a.reconnect();
    settle();
    assertTrue(log.contains("a fired"));
  }

  @Test
  void signsOfLossAreRecordedWhenDelivered() {
    Created[] w = create(a, LockMode.WRITE);
    settle();
    server.step = 7;
    server.deleteNode(server.node(w[0].path), "operator");
    assertEquals(-1, a.known(w[0].path).signStep);
    a.children(PATH, watch("a"), (c, v, d) -> {});
    settle();
    assertEquals(7, a.known(w[0].path).signStep);

    Created[] x = create(a, LockMode.WRITE);
    settle();
    server.step = 9;
    a.disconnect(0, 5, false);
    assertEquals(-1, a.known(x[0].path).signStep);
    settle();
    assertEquals(9, a.known(x[0].path).signStep);
  }

  @Test
  void foreignKazooWritersQueueBehindEachOther() {
    List<String> grants = new ArrayList<>();
    SimForeignContender k1 = new SimForeignContender("k1", a, PATH, f -> grants.add(f.name));
    SimForeignContender k2 = new SimForeignContender("k2", b, PATH, f -> grants.add(f.name));
    k1.step(LockMode.WRITE, 1);
    settle();
    k2.step(LockMode.READ, 1);
    settle();
    assertEquals(List.of("k1"), grants);
    assertEquals(SimForeignContender.State.WAITING, k2.state);
    assertTrue(server.node(k1.node).name.matches("[0-9a-f]{32}__lock__0000000000"));
    k1.step(null, 0);
    settle();
    assertEquals(List.of("k1", "k2"), grants);
    assertTrue(k2.holdsLiveNode());
  }

  @Test
  void clockRunsTimersOnlyWhenAdvancedToThem() {
    SimClock clock = new SimClock();
    clock.schedule(() -> log.add("t2"), 20);
    clock.schedule(() -> log.add("t1"), 10);
    assertFalse(clock.runDue());
    clock.advanceTo(clock.nextTimer());
    assertEquals(10, clock.nanoTime());
    assertTrue(clock.runDue());
    assertFalse(clock.runDue());
    clock.advanceTo(25);
    assertTrue(clock.runDue());
    assertEquals(List.of("t1", "t2"), log);
    assertEquals(Long.MAX_VALUE, clock.nextTimer());
  }
}
