package io.deeplakelock.testapp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.testapp.dataset.Dataset;
import io.deeplakelock.testapp.demo.WorkloadJvm;
import io.deeplakelock.testapp.service.WriterReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A holder killed with SIGKILL keeps its lock until its ZooKeeper session times out; one that exits
 * normally frees it at once.
 */
class HolderKilledIT extends ServiceJvmsFixture {
  private static final Duration SHORT_SESSION = Duration.ofSeconds(2);

  /** The longest session the test server allows (20 ticks), so that "at once" is unmistakable. */
  private static final Duration LONG_SESSION = Duration.ofSeconds(10);

  @Test
  void killedHoldersLockPassesToTheWaiterWhenItsSessionTimesOut() throws Exception {
    Path rules =
        new RulesFile().sessionTimeout("2s").timeout("30s").writeTo(dir, "short-session.yaml");
    Contest contest = startContest(rules, false);

    long killed = System.nanoTime();
    contest.holder.process().destroyForcibly(); // SIGKILL: no shutdown hook runs
    assertTrue(contest.holder.process().waitFor(10, TimeUnit.SECONDS), "the holder died");
    long freed = server.awaitGone(contest.holderNode, SHORT_SESSION.plusSeconds(5));
    long freedMillis = TimeUnit.NANOSECONDS.toMillis(freed - killed);
    // The server expires a silent session between 2/3 of its timeout (the last ping) and the
    // timeout plus a tick after the kill; the closed TCP connection alone frees nothing.
    assertTrue(
        freedMillis >= SHORT_SESSION.toMillis() / 2,
        "the dead holder's node went after " + freedMillis + " ms, before its session timed out");

    WriterReport waiter = WriterReport.fromJson(ServiceJvms.awaitSuccess(contest.waiter));
    long doneMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
    assertTrue(
        doneMillis <= SHORT_SESSION.plusSeconds(5).toMillis(),
        "the waiter finished " + doneMillis + " ms after the kill");
    assertEquals(1, waiter.acked(), "the waiter's append went through: " + waiter.toJson());
    // The waiter may get the lock a poll interval before this test sees the holder's node gone.
    assertTrue(
        waiter.lockWaitMs() >= freedMillis - 100,
        "the waiter really waited for the dead holder ("
            + freedMillis
            + " ms after the kill): "
            + waiter.toJson());
    // The holder's own writes, done before it was killed, and the waiter's append.
    Dataset dataset = Dataset.open(contest.dataset.toString());
    assertEquals(2, dataset.size());
    assertEquals("hold-0:u", dataset.get(0).text());
    assertEquals("w1-0", dataset.get(1).text());
    server.awaitNoLockNodes(Duration.ofSeconds(10));
  }

  @Test
  void holderThatExitsNormallyFreesItsLockAtOnce() throws Exception {
    Path rules =
        new RulesFile().sessionTimeout("10s").timeout("30s").writeTo(dir, "long-session.yaml");
    Contest contest = startContest(rules, true);

    long released = System.nanoTime();
    ServiceJvms.signal(contest.release); // the holder calls System.exit(0) inside the guarded call
    assertTrue(contest.holder.process().waitFor(30, TimeUnit.SECONDS), "the holder exited");
    assertEquals(0, contest.holder.process().exitValue(), "the holder's exit status");
    boolean presentAfterExit = server.exists(contest.holderNode);
    long freed = server.awaitGone(contest.holderNode, LONG_SESSION.plusSeconds(5));
    long freedMillis = TimeUnit.NANOSECONDS.toMillis(freed - released);
    assertFalse(
        presentAfterExit,
        "the holder's lock node outlived its JVM (freed after " + freedMillis + " ms)");
    assertTrue(
        freedMillis < LONG_SESSION.toMillis() / 3,
        "the lock was freed " + freedMillis + " ms after the holder was told to exit");

    WriterReport waiter = WriterReport.fromJson(ServiceJvms.awaitSuccess(contest.waiter));
    assertEquals(1, waiter.acked(), "the waiter's append went through: " + waiter.toJson());
    assertEquals(1, Dataset.open(contest.dataset.toString()).size());
    server.awaitNoLockNodes(Duration.ofSeconds(10));
  }

  /**
   * Starts a waiter (a one-append writer, opened and ready), then a holder of the write lock, then
   * lets the waiter queue behind it.
   */
  private Contest startContest(Path rules, boolean exitWhileHolding) throws Exception {
    Contest contest = new Contest();
    contest.dataset = dir.resolve("ds");
    contest.release = dir.resolve("release");
    Dataset.create(contest.dataset.toString(), 8);
    String lockPath = LockServer.lockPath(contest.dataset);
    Path go = dir.resolve("go");
    contest.waiter =
        jvms.startReady(
            "waiter",
            rules,
            "writer",
            "--dataset",
            contest.dataset.toString(),
            "--id",
            "w1",
            "--ops",
            "1",
            "--go",
            go.toString());
    contest.holder =
        jvms.startReady(
            "holder",
            rules,
            "hold",
            "--dataset",
            contest.dataset.toString(),
            "--release",
            contest.release.toString(),
            exitWhileHolding ? "--exit" : "--touch");
    List<String> held =
        server.awaitChildren(
            lockPath, nodes -> nodes.size() == 1, Duration.ofSeconds(10), "the holder's node");
    contest.holderNode = lockPath + "/" + held.get(0);
    assertTrue(LockServer.isWriteNode(held.get(0)), "a write node: " + held);
    ServiceJvms.signal(go);
    server.awaitChildren(
        lockPath,
        nodes -> nodes.size() == 2 && nodes.stream().allMatch(LockServer::isWriteNode),
        Duration.ofSeconds(30),
        "the waiter's write node queued behind the holder's");
    return contest;
  }

  /** A holder, a waiter queued behind it, and where they work. */
  private static final class Contest {
    Path dataset;
    Path release;
    WorkloadJvm holder;
    WorkloadJvm waiter;
    String holderNode;
  }
}
