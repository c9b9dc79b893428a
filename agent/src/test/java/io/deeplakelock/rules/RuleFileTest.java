package io.deeplakelock.rules;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.bridge.LockMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Unit tests for {@link RuleFile}: loading a file, its top-level sections and reporting every
 * problem at once.
 */
class RuleFileTest extends RuleFileFixture {

  // ---- valid files ---------------------------------------------------------------------

  @Test
  void fullFileRoundTripsIntoAgentConfig() throws RuleFileException {
    AgentConfig config =
        parse(
            """
            # every key, with per-rule overrides
            zookeeper:
              connect: "${ZK_HOST}"
              sessionTimeout: 20s
              connectionTimeout: 1500ms
              namespace: team/deeplake
            locks:
              root: /locks/deeplake
              timeout: 2m
              onTimeout: fail
              readLocks: true
              protocol: curator
              onLockLost: log
            rules:
              - name: writes
                class: com.example.Dataset
                methods: [append, "update(java.lang.String,byte[])", delete]
                lock: write
                dataset: this.path
              - name: reads
                class: com.example.Dataset
                methods: search
                lock: read
                dataset: "s3://${BUCKET}/${arg0}"
                timeout: 5s
                onTimeout: run-unlocked
                readLocks: false
                onLockLost: throw
              - name: global
                class: com.example.Admin$Tools
                methods: [compact]
                lock: write
                lockPath: /deeplake/global
            """);

    assertEquals(LABEL, config.source());
    assertEquals("zk1:2181,zk2:2181", config.connect());
    assertEquals(20_000L, config.sessionTimeoutMillis());
    assertEquals(1_500L, config.connectionTimeoutMillis());
    assertEquals("team/deeplake", config.namespace());
    assertEquals("/locks/deeplake", config.root());
    assertEquals(AgentConfig.Protocol.CURATOR, config.protocol());
    assertEquals(3, config.rules().size());

    Rule writes = config.rules().get(0);
    assertAll(
        () -> assertEquals(0, writes.id()),
        () -> assertEquals("writes", writes.name()),
        () -> assertEquals(LABEL + ":15:5", writes.position().toString()),
        () -> assertEquals("com.example.Dataset", writes.className()),
        () ->
            assertEquals(
                "[append, update(java.lang.String,byte[]), delete]", writes.methods().toString()),
        () -> assertNull(writes.methods().get(0).parameterTypes()),
        () ->
            assertEquals(
                List.of("java.lang.String", "byte[]"), writes.methods().get(1).parameterTypes()),
        () -> assertEquals(LockMode.WRITE, writes.mode()),
        () -> assertEquals("this.path", writes.dataset().source()),
        () -> assertNull(writes.lockPath()),
        // The locks section's values are the defaults of every rule.
        () -> assertEquals(120_000L, writes.policy().timeoutMillis()),
        () -> assertEquals(LockPolicy.OnTimeout.FAIL, writes.policy().onTimeout()),
        () -> assertTrue(writes.policy().readLocks()),
        () -> assertEquals(LockPolicy.OnLockLost.LOG, writes.policy().onLockLost()),
        () -> assertTrue(writes.takesLock()));

    Rule reads = config.rules().get(1);
    assertAll(
        () -> assertEquals(1, reads.id()),
        () -> assertEquals("reads", reads.name()),
        () -> assertEquals("[search]", reads.methods().toString()),
        () -> assertEquals(LockMode.READ, reads.mode()),
        // Environment placeholders expand; dataset placeholders stay for the call to fill in.
        () -> assertEquals("s3://team-bucket/${arg0}", reads.dataset().source()),
        () -> assertEquals(0, reads.dataset().highestArgumentIndex()),
        // Every policy is overridden per rule.
        () -> assertEquals(5_000L, reads.policy().timeoutMillis()),
        () -> assertEquals(LockPolicy.OnTimeout.RUN_UNLOCKED, reads.policy().onTimeout()),
        () -> assertFalse(reads.policy().readLocks()),
        () -> assertEquals(LockPolicy.OnLockLost.THROW, reads.policy().onLockLost()),
        // A read rule in append-only mode runs unlocked.
        () -> assertFalse(reads.takesLock()));

    Rule global = config.rules().get(2);
    assertAll(
        () -> assertEquals(2, global.id()),
        () -> assertEquals("com.example.Admin$Tools", global.className()),
        () -> assertEquals("/deeplake/global", global.lockPath()),
        () -> assertNull(global.dataset()),
        () -> assertEquals(LABEL + ":29:5", global.position().toString()));
  }

  @Test
  void minimalFileGetsDocumentedDefaults() throws RuleFileException {
    AgentConfig config = parse(MINIMAL);

    assertEquals("127.0.0.1:2181", config.connect());
    assertEquals(30_000L, config.sessionTimeoutMillis());
    assertEquals(10_000L, config.connectionTimeoutMillis());
    assertNull(config.namespace());
    assertEquals("/deeplake", config.root());
    assertEquals(AgentConfig.Protocol.KAZOO, config.protocol());
    LockPolicy policy = config.rules().get(0).policy();
    assertEquals(30_000L, policy.timeoutMillis());
    assertEquals(LockPolicy.OnTimeout.FAIL, policy.onTimeout());
    assertTrue(policy.readLocks());
    assertEquals(LockPolicy.OnLockLost.THROW, policy.onLockLost());
  }

  @Test
  void loadReadsFileAndNamesItInPositions() throws Exception {
    Path file = write("ok.yaml", MINIMAL.getBytes(StandardCharsets.UTF_8));

    AgentConfig config = RuleFile.load(file, ENV::get);

    assertEquals(file.toString(), config.source());
    assertEquals(file + ":4:5", config.rules().get(0).position().toString());
  }

  @Test
  void fileOfExactlyTheSizeLimitIsAccepted() throws Exception {
    byte[] text = MINIMAL.getBytes(StandardCharsets.UTF_8);
    byte[] bytes = new byte[RuleFile.MAX_BYTES];
    Arrays.fill(bytes, (byte) '\n');
    System.arraycopy(text, 0, bytes, 0, text.length);
    Path file = write("limit.yaml", bytes);

    AgentConfig config = RuleFile.load(file, ENV::get);

    assertEquals("127.0.0.1:2181", config.connect());
  }

  // ---- required sections ---------------------------------------------------------------

  @Test
  void missingZookeeperSectionIsReported() {
    assertSingleProblem(
        MINIMAL.replace("zookeeper:\n  connect: 127.0.0.1:2181\n", ""),
        "1:1",
        "'zookeeper' is required");
  }

  @Test
  void missingConnectIsReportedAtTheZookeeperSection() {
    assertSingleProblem(
        MINIMAL.replace("connect: 127.0.0.1:2181", "sessionTimeout: 5s"),
        "2:3",
        "zookeeper.connect is required");
  }

  @Test
  void invalidConnectIsReportedOnce() {
    assertSingleProblem(
        MINIMAL.replace("connect: 127.0.0.1:2181", "connect: [a, b]"),
        "2:12",
        "expected a single value");
  }

  @Test
  void missingRulesIsReported() {
    assertSingleProblem("zookeeper:\n  connect: 127.0.0.1:2181\n", "1:1", "'rules' is required");
  }

  @Test
  void emptyRulesListIsReported() {
    assertSingleProblem(
        "zookeeper:\n  connect: 127.0.0.1:2181\nrules: []\n", "3:8", "'rules' is empty");
  }

  @Test
  void mappingForRulesIsRejected() {
    assertSingleProblem(
        """
        zookeeper:
          connect: 127.0.0.1:2181
        rules: {name: writes, class: com.example.Dataset}
        """,
        "3:8",
        "'rules' must be a list of rules");
  }

  // ---- zookeeper and locks values ------------------------------------------------------

  @Test
  void namespaceWithLeadingSlashIsRejected() {
    assertSingleProblem(
        MINIMAL.replace("  connect: 127.0.0.1:2181", "  connect: a:1\n  namespace: /deeplake"),
        "3:14",
        "drop the leading '/'");
  }

  @Test
  void unknownProtocolIsRejected() {
    assertSingleProblem(
        MINIMAL.replace("rules:", "locks:\n  protocol: zookeeper\nrules:"),
        "4:13",
        "write one of: kazoo, curator");
  }

  @Test
  void coalescingIsOnAndLingerAdaptiveByDefault() throws RuleFileException {
    AgentConfig config = parse(MINIMAL);
    assertTrue(config.coalesce());
    assertEquals(AgentConfig.ADAPTIVE_LINGER, config.lingerMillis());
  }

  @Test
  void lingerAndCoalesceAreRead() throws RuleFileException {
    AgentConfig config =
        parse(MINIMAL.replace("rules:", "locks:\n  linger: 20ms\n  coalesce: false\nrules:"));
    assertFalse(config.coalesce());
    assertEquals(20, config.lingerMillis());
    assertEquals(0, parse(MINIMAL.replace("rules:", "locks:\n  linger: 0\nrules:")).lingerMillis());
  }

  @Test
  void lingerLongerThanASecondIsRejected() {
    assertSingleProblem(
        MINIMAL.replace("rules:", "locks:\n  linger: 5s\nrules:"), "4:11", "linger 5s is too long");
  }

  @Test
  void lingerThatIsNoDurationIsRejected() {
    assertSingleProblem(
        MINIMAL.replace("rules:", "locks:\n  linger: soon\nrules:"),
        "4:11",
        "'soon' is not a duration");
  }

  @Test
  void lockRootWithTrailingSlashIsRejected() {
    assertSingleProblem(
        MINIMAL.replace("rules:", "locks:\n  root: /deeplake/\nrules:"),
        "4:9",
        "'/deeplake/' must not end with '/'");
  }

  @Test
  void lockRootAtZookeeperRootIsRejected() {
    assertSingleProblem(
        MINIMAL.replace("rules:", "locks:\n  root: /\nrules:"), "4:9", "'/' is the ZooKeeper root");
  }

  // ---- file-level problems -------------------------------------------------------------

  @Test
  void fileOverOneMebibyteIsRefusedBeforeParsing() throws IOException {
    byte[] bytes = new byte[RuleFile.MAX_BYTES + 1];
    Arrays.fill(bytes, (byte) '#');
    Path file = write("huge.yaml", bytes);

    RuleFileException e = assertThrows(RuleFileException.class, () -> RuleFile.load(file));

    assertEquals(
        List.of(
            file
                + ":1:1: the file has 1048577 bytes; a rules file may have at most 1048576 (1"
                + " MiB)"),
        e.problems());
  }

  @Test
  void nonUtf8FileIsRefused() throws IOException {
    // "é" in ISO-8859-1 is the single byte 0xE9, which is not UTF-8.
    byte[] bytes = ("# caf\u00e9\n" + MINIMAL).getBytes(StandardCharsets.ISO_8859_1);
    Path file = write("latin1.yaml", bytes);

    RuleFileException e = assertThrows(RuleFileException.class, () -> RuleFile.load(file));

    assertEquals(
        List.of(file + ":1:1: the file is not UTF-8 text; save it as UTF-8"), e.problems());
  }

  @Test
  void missingFileIsReportedAtLineOne() {
    Path file = dir.resolve("absent.yaml");

    RuleFileException e = assertThrows(RuleFileException.class, () -> RuleFile.load(file));

    assertEquals(1, e.problems().size());
    assertTrue(
        e.problems().get(0).startsWith(file + ":1:1: cannot read the rules file"), e.getMessage());
  }

  // ---- all problems at once ------------------------------------------------------------

  @Test
  void everyProblemOfTheFileIsReportedAtOnce() {
    List<String> problems =
        problems(
            MINIMAL
                .replace("rules:", "locks:\n  timeout: 30\nrules:")
                .replace("lock: write", "lock: exclusive"));

    assertEquals(2, problems.size(), String.join("\n", problems));
    assertStartsWith(LABEL + ":4:12: '30' is not a duration", problems.get(0));
    assertStartsWith(LABEL + ":9:11: 'exclusive' is not allowed here", problems.get(1));
  }

  @Test
  void problemsOfSeveralRulesAreReportedTogether() {
    String second =
        """
          - name: reads
            class: com.example.Dataset
            methods: [search]
            lock: shared
        """;
    RuleFileException e =
        assertThrows(
            RuleFileException.class,
            () -> parse(MINIMAL.replace("this.path", "this..path") + second));

    List<String> problems = e.problems();
    assertEquals(3, problems.size(), e.getMessage());
    assertStartsWith(LABEL + ":8:19: ", problems.get(0));
    assertStartsWith(LABEL + ":9:5: the rule has no 'dataset'", problems.get(1));
    assertStartsWith(LABEL + ":12:11: 'shared' is not allowed here", problems.get(2));
    assertEquals(String.join(System.lineSeparator(), problems), e.getMessage());
  }

  @Test
  void problemsComeInFileOrder() {
    List<String> problems =
        problems(
            MINIMAL
                .replace("lock: write", "lock: exclusive")
                .replace("    dataset: this.path\n", ""));
    assertEquals(2, problems.size(), String.join("\n", problems));
    assertStartsWith(LABEL + ":4:5: ", problems.get(0));
    assertStartsWith(LABEL + ":7:11: ", problems.get(1));
  }
}
