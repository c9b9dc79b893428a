package io.deeplakelock.testapp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.testapp.dataset.Dataset;
import io.deeplakelock.testapp.demo.WorkloadJvm;
import io.deeplakelock.testapp.service.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Guarded calls nested in guarded calls (a static overload calling another, writes and reads inside
 * a write) re-enter their lock instead of deadlocking, and see its fencing token.
 */
class NestedAndStaticCallsIT extends ServiceJvmsFixture {

  private Path rules;

  @BeforeEach
  void writeRules() throws Exception {
    // A nested call that queued a node of its own would wait for its outer call: fail fast then.
    rules = new RulesFile().timeout("5s").writeTo(dir, "rules.yaml");
  }

  @Test
  void staticCreateOverloadNestsInsideTheSameWriteLock() throws Exception {
    Path dataset = dir.resolve("created");
    String lockPath = LockServer.lockPath(dataset);
    // create without --chunk-rows calls Dataset.create(path, dim), which calls create(path, dim,
    // chunkRows): both are guarded by the same rule on the same dataset.
    WorkloadJvm create =
        jvms.start("create", rules, "create", "--dataset", dataset.toString(), "--dim", "4");
    int status = create.awaitExit(ServiceJvms.EXIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(0, status, "create failed" + ServiceJvms.describe(create));
    assertEquals(4, Dataset.open(dataset.toString()).getDimension());
    assertTrue(server.exists(lockPath), "create took the dataset's lock at " + lockPath);
    assertEquals(List.of(), server.children(lockPath), "create left a lock node");
  }

  @Test
  void writesAndReadsNestedInAWriteLockReuseItsNodeAndSeeItsToken() throws Exception {
    Path dataset = dir.resolve("ds");
    Dataset.create(dataset.toString(), 8);
    String lockPath = LockServer.lockPath(dataset);

    // hold --touch appends, updates and counts rows inside the guarded hold().
    Path release = dir.resolve("release-1");
    WorkloadJvm first =
        jvms.startReady(
            "hold-1",
            rules,
            "hold",
            "--dataset",
            dataset.toString(),
            "--release",
            release.toString(),
            "--touch");
    Map<String, Object> held = first.summary();
    assertEquals(0L, held.get("touchedRow"), String.valueOf(held));
    assertEquals(1L, held.get("size"), String.valueOf(held));
    Map<String, Object> lock = Json.asObject(held.get("lock"));
    assertEquals(lockPath, lock.get("lockPath"), String.valueOf(lock));
    assertEquals("WRITE", lock.get("mode"), String.valueOf(lock));

    List<String> nodes = server.children(lockPath);
    assertEquals(1, nodes.size(), "one node for the hold and all calls nested in it: " + nodes);
    long token = (Long) lock.get("token");
    assertEquals(
        server.czxid(lockPath + "/" + nodes.get(0)),
        token,
        "the fencing token is the lock node's creation zxid");
    ServiceJvms.signal(release);
    ServiceJvms.awaitSuccess(first);
    assertEquals("hold-0:u", Dataset.open(dataset.toString()).get(0).text());

    Path releaseAgain = dir.resolve("release-2");
    WorkloadJvm second =
        jvms.startReady(
            "hold-2",
            rules,
            "hold",
            "--dataset",
            dataset.toString(),
            "--release",
            releaseAgain.toString());
    long nextToken = (Long) Json.asObject(second.summary().get("lock")).get("token");
    assertTrue(nextToken > token, "the next holder's token " + nextToken + " exceeds " + token);
    ServiceJvms.signal(releaseAgain);
    ServiceJvms.awaitSuccess(second);
    server.awaitChildren(lockPath, List::isEmpty, Duration.ofSeconds(10), "no lock node left");
  }
}
