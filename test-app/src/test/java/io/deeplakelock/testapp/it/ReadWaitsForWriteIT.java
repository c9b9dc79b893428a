package io.deeplakelock.testapp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.testapp.dataset.Dataset;
import io.deeplakelock.testapp.demo.WorkloadJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A search in one process waits, queued in ZooKeeper, while another process holds the write lock.
 */
class ReadWaitsForWriteIT extends ServiceJvmsFixture {
  /** How long the search must stay blocked while the writer holds on. */
  private static final Duration BLOCKED = Duration.ofSeconds(2);

  @Test
  void searchWaitsBehindAnotherProcessesWriteLockUntilItIsReleased() throws Exception {
    Path rules = new RulesFile().writeTo(dir, "rules.yaml");
    Path dataset = dir.resolve("ds");
    Dataset created = Dataset.create(dataset.toString(), 8);
    for (int i = 0; i < 3; i++) {
      created.append("seed-" + i, "seed", new float[] {1, i, 0, 0, 0, 0, 0, 0});
    }
    String lockPath = LockServer.lockPath(dataset);
    Path go = dir.resolve("go");
    Path release = dir.resolve("release");

    // The searcher opens the dataset (a read lock) before the writer takes it over.
    WorkloadJvm searcher =
        jvms.startReady(
            "searcher",
            rules,
            "searcher",
            "--dataset",
            dataset.toString(),
            "--id",
            "s1",
            "--searches",
            "1",
            "--go",
            go.toString());
    WorkloadJvm writer =
        jvms.startReady(
            "writer",
            rules,
            "hold",
            "--dataset",
            dataset.toString(),
            "--release",
            release.toString());
    ServiceJvms.signal(go);

    List<String> queue =
        server.awaitChildren(
            lockPath,
            nodes -> nodes.size() == 2,
            Duration.ofSeconds(30),
            "the writer's node and the searcher's node queued behind it");
    String writeNode = queue.stream().filter(LockServer::isWriteNode).findFirst().orElse(null);
    String readNode = queue.stream().filter(LockServer::isReadNode).findFirst().orElse(null);
    assertTrue(writeNode != null && readNode != null, "one __lock__ and one __rlock__: " + queue);
    assertTrue(
        LockServer.sequence(writeNode).compareTo(LockServer.sequence(readNode)) < 0,
        "the write node comes first: " + queue);
    assertTrue(
        server.data(lockPath + "/" + writeNode).contains(writer.process().pid() + "@"),
        "the write node is the writer's: " + server.data(lockPath + "/" + writeNode));
    assertTrue(
        server.data(lockPath + "/" + readNode).contains(searcher.process().pid() + "@"),
        "the read node is the searcher's: " + server.data(lockPath + "/" + readNode));

    // A bounded negative check: the search must not return while the write lock is held.
    assertNull(
        ServiceJvms.awaitSummary(searcher, BLOCKED),
        "the search returned while another process held the write lock");
    assertTrue(searcher.process().isAlive(), "the searcher is still waiting");

    ServiceJvms.signal(release);
    Map<String, Object> searches = ServiceJvms.awaitSuccess(searcher);
    assertEquals(2L, searches.get("ok"), "search and size() both succeeded: " + searches);
    assertEquals(0L, searches.get("failed"), searches.toString());
    assertEquals(0L, searches.get("corrupt"), searches.toString());
    assertTrue(
        (Long) searches.get("lockWaitMs") >= BLOCKED.toMillis(),
        "the searcher's lock wait covers the time it was blocked: " + searches);
    ServiceJvms.awaitSuccess(writer);

    server.awaitChildren(
        lockPath, List::isEmpty, Duration.ofSeconds(10), "no lock node once both have finished");
  }
}
