package io.deeplakelock.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.bridge.AuditBridge;
import io.deeplakelock.bridge.LockMode;
import io.deeplakelock.bridge.UnguardedWriteException;
import io.deeplakelock.lock.LockPath;
import io.deeplakelock.rules.AgentConfig;
import io.deeplakelock.rules.AuditSettings;
import io.deeplakelock.rules.RuleFile;
import io.deeplakelock.rules.RuleFileException;
import java.io.File;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Unit tests for {@link AuditCheck}, with the thread's held locks given by the test. */
class AuditCheckTest {

  private static final Path WD = Paths.get("/srv/app");
  private final Map<String, LockMode> held = new HashMap<>();

  private AuditCheck audit(String mode, List<String> fixedPaths) throws RuleFileException {
    AgentConfig config =
        RuleFile.parse(
            "rules.yaml",
            "zookeeper: {connect: zk:2181}\nrules:\n  - {name: w, class: a.B, methods: [m],"
                + " lock: write, dataset: this.p}\naudit: {mode: "
                + mode
                + ", reportsPerMinute: 5}\n",
            k -> null);
    AuditSettings settings = config.audit();
    AuditCheck check =
        new AuditCheck(
            settings,
            new DatasetDirs(WD, Collections.<String>emptyList()),
            ds -> LockPath.forDataset("/deeplake", ds, WD),
            held::get,
            fixedPaths,
            true,
            System::nanoTime);
    check.datasetLocked("ds");
    return check;
  }

  @Test
  void aWriteUnderTheDatasetsWriteLockIsFine() throws RuleFileException {
    AuditCheck check = audit("fail", Collections.<String>emptyList());
    held.put("/deeplake/%2Fsrv%2Fapp%2Fds", LockMode.WRITE);
    check.check(new File("ds/text/chunk-00000"), AuditBridge.TRUNCATE);
    check.check(new File("/srv/app/ds/meta"), AuditBridge.READ);
    assertEquals(0, check.findings());
  }

  @Test
  void aReadLockCoversReadsButNotWrites() throws RuleFileException {
    AuditCheck check = audit("fail", Collections.<String>emptyList());
    held.put("/deeplake/%2Fsrv%2Fapp%2Fds", LockMode.READ);
    check.check(new File("ds/meta"), AuditBridge.READ);
    UnguardedWriteException e =
        assertThrows(
            UnguardedWriteException.class,
            () -> check.check(new File("ds/meta"), AuditBridge.DELETE));
    assertEquals("/srv/app/ds/meta", e.file());
    assertEquals("/srv/app/ds", e.dataset());
    assertTrue(
        e.getMessage().startsWith("refused unguarded delete of /srv/app/ds/meta"), e.getMessage());
    assertTrue(e.getMessage().contains("lock path /deeplake/%2Fsrv%2Fapp%2Fds"), e.getMessage());
    // This test's own frames are the agent's (io.deeplakelock.audit): the service code is JUnit.
    assertTrue(e.getMessage().contains("service code: org.junit."), e.getMessage());
  }

  @Test
  void warnCountsEachFindingAndListsItsCallSite() throws RuleFileException {
    AuditCheck check = audit("warn", Collections.<String>emptyList());
    for (int i = 0; i < 3; i++) {
      check.check(new File("ds/x"), AuditBridge.CREATE);
    }
    check.check(new File("elsewhere/x"), AuditBridge.CREATE);
    assertEquals(3, check.findings());
    List<String> lines = check.statusLines();
    assertTrue(
        lines.get(0).startsWith("audit warn: 3 unguarded file operation(s) at 1 call site(s)"),
        lines.get(0));
    assertTrue(lines.get(1).startsWith("  3 x create in /srv/app/ds at org.junit."), lines.get(1));
  }

  @Test
  void aFixedLockPathCoversEveryDataset() throws RuleFileException {
    AuditCheck check = audit("fail", Collections.singletonList("/deeplake"));
    held.put("/deeplake", LockMode.WRITE);
    check.check(new File("ds/x"), AuditBridge.RENAME);
    assertEquals(0, check.findings());
  }

  @Test
  void theAgentsOwnThreadsAreNotAudited() throws Exception {
    AuditCheck check = audit("fail", Collections.<String>emptyList());
    Thread agentThread =
        new Thread(
            () -> check.check(new File("ds/x"), AuditBridge.DELETE), "deeplake-lock-watch-1");
    agentThread.start();
    agentThread.join();
    assertEquals(0, check.findings());
  }
}
