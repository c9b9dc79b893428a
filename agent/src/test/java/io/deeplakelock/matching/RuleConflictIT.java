package io.deeplakelock.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.matching.sample.ConflictMain;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two rules that put different locks on one method: refused at start-up when both name the class
 * exactly, refused call by call (fail closed) when globs or subtypes meet as the class loads.
 */
class RuleConflictIT {

  private static final String CONFLICT = "io.deeplakelock.matching.sample.conflict.";

  @TempDir Path dir;

  @Test
  void exactClassRulesWithDifferentLocksOnOneMethodStopStartup() throws Exception {
    String yaml =
        """
        zookeeper:
          connect: 127.0.0.1:1
        rules:
          - name: ledger-writes
            class: %sLedger
            methods: [post]
            lock: write
            dataset: /ds/ledger
          - name: ledger-reads
            class: %sLedger
            methods: [peek, post]
            lock: read
            dataset: /ds/ledger
        """
            .formatted(CONFLICT, CONFLICT);
    Path rules = write("exact.yaml", yaml);

    ServiceRun run = ServiceRun.run(dir, rules, ConflictMain.class);

    assertEquals(2, run.exit, run.toString());
    assertEquals("", run.stdout, "the service must not have run");
    assertTrue(
        run.stderr.contains(
            position(rules, yaml, "name: ledger-reads")
                + ": rules 'ledger-writes' ("
                + position(rules, yaml, "name: ledger-writes")
                + ") and 'ledger-reads' both guard "
                + CONFLICT
                + "Ledger.post with different locks (write lock on /ds/ledger vs read lock on"
                + " /ds/ledger); a method takes one lock: remove it from one of the rules\n"),
        run.stderr);
    assertTrue(run.stderr.contains("refusing to start the service"), run.stderr);
  }

  @Test
  void globAndSubtypeRulesWithDifferentLocksRefuseOnlyTheMethodTheyShare() throws Exception {
    try (TestingServer zooKeeper = new TestingServer()) {
      String yaml =
          """
          zookeeper:
            connect: "%s"
          locks:
            timeout: 20s
          rules:
            - name: repo-glob
              class: %s*Repo
              methods: [save, load, archive]
              lock: write
              dataset: /ds/repo
            - name: saver-subtypes
              subtypesOf: %sSaver
              methods: [save]
              lock: read
              dataset: /ds/repo
            - name: archive-subtypes
              subtypesOf: %sSaver
              methods: [archive]
              lock: write
              dataset: /ds/repo
          """
              .formatted(zooKeeper.getConnectString(), CONFLICT, CONFLICT, CONFLICT);
      Path rules = write("overlap.yaml", yaml);

      ServiceRun run = ServiceRun.run(dir, rules, ConflictMain.class);

      assertEquals(0, run.exit, run.toString());
      String refusal =
          "threw io.deeplakelock.bridge.DatasetLockException: rules with different locks all"
              + " match "
              + CONFLICT
              + "OrderRepo.save()Ljava/lang/String;: 'repo-glob' ("
              + position(rules, yaml, "name: repo-glob")
              + ", write lock on /ds/repo) 'saver-subtypes' ("
              + position(rules, yaml, "name: saver-subtypes")
              + ", read lock on /ds/repo); remove the method from all but one of them. The call"
              + " was not run.";
      assertEquals(refusal, run.result("OrderRepo.save"), run.toString());
      assertEquals("false", run.result("OrderRepo.save body ran"), run.toString());
      assertTrue(
          run.stderr.contains("every call to it will be refused until the rules are fixed"),
          run.toString());
      // The class's other methods, and the same method of a class only one rule matches, work.
      assertEquals("WRITE /ds/repo", run.result("OrderRepo.load"), run.toString());
      assertEquals("WRITE /ds/repo", run.result("InvoiceRepo.save"), run.toString());
      // Two rules that agree on the lock do not conflict.
      assertEquals("WRITE /ds/repo", run.result("OrderRepo.archive"), run.toString());
      assertEquals("unlocked", run.result("Ledger.peek"), run.toString());
      assertFalse(run.stderr.contains("could not instrument"), run.toString());
    }
  }

  private Path write(String name, String yaml) throws Exception {
    Path file = dir.resolve(name);
    Files.write(file, yaml.getBytes(StandardCharsets.UTF_8));
    return file;
  }

  /** {@code file:line:col} of {@code text} in {@code yaml}, as the agent reports positions. */
  private static String position(Path file, String yaml, String text) {
    int offset = yaml.indexOf(text);
    assertTrue(offset >= 0, text);
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < offset; i++) {
      if (yaml.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    return file + ":" + line + ":" + (offset - lineStart + 1);
  }
}
