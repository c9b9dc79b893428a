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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unit tests for {@link RuleFile}. */
class RuleFileTest {

  private static final String LABEL = "rules.yaml";
  private static final Map<String, String> ENV =
      Map.of(
          "ZK_HOST",
          "zk1:2181,zk2:2181",
          "EMPTY",
          "",
          "BUCKET",
          "team-bucket",
          "ZK_DIGEST",
          "agent:pw-42",
          "NO_USER",
          ":pw-42");

  /** A valid file; invalid variants below differ from it in one place. */
  private static final String MINIMAL =
      """
      zookeeper:
        connect: 127.0.0.1:2181
      rules:
        - name: writes
          class: com.example.Dataset
          methods: [append, update]
          lock: write
          dataset: this.path
      """;

  @TempDir Path dir;

  // ---- valid files ------------------------------------------------------------------------

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
  void environmentPlaceholderFallsBackToItsDefault() throws RuleFileException {
    AgentConfig config = parse(MINIMAL.replace("127.0.0.1:2181", "${ZK_UNSET:-localhost:2181}"));

    assertEquals("localhost:2181", config.connect());
  }

  @Test
  void emptyEnvironmentVariableCountsAsUnsetAndTakesTheDefault() throws RuleFileException {
    AgentConfig config = parse(MINIMAL.replace("127.0.0.1:2181", "${EMPTY:-localhost:2181}"));

    assertEquals("localhost:2181", config.connect());
  }

  @Test
  void doubleDollarEscapesAPlaceholder() throws RuleFileException {
    AgentConfig config = parse(MINIMAL.replace("127.0.0.1:2181", "\"zk$${ZK_HOST}:2181\""));

    assertEquals("zk${ZK_HOST}:2181", config.connect());
  }

  @Test
  void yaml12ScalarsStayStrings() throws RuleFileException {
    // YAML 1.1 would read 0777 as 511 and no/yes/on as booleans; YAML 1.2 keeps them as text.
    AgentConfig config =
        parse(
            MINIMAL
                .replace("127.0.0.1:2181", "0777")
                .replace("name: writes", "name: no")
                .replace("methods: [append, update]", "methods: [on, yes]"));

    assertEquals("0777", config.connect());
    assertEquals("no", config.rules().get(0).name());
    assertEquals("[on, yes]", config.rules().get(0).methods().toString());
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

  // ---- unknown keys and wrong types ---------------------------------------------------------

  @Test
  void unknownKeySuggestsTheClosestAllowedKey() {
    assertSingleProblem(
        MINIMAL.replace(
            "  connect: 127.0.0.1:2181", "  connect: 127.0.0.1:2181\n  sesionTimeout: 5s"),
        "3:3",
        "unknown key 'sesionTimeout' in zookeeper; did you mean 'sessionTimeout'?");
  }

  @Test
  void unknownKeyInRuleSuggestsDespiteCase() {
    assertSingleProblem(
        MINIMAL + "    lockpath: /deeplake/x\n",
        "9:5",
        "unknown key 'lockpath' in a rule; did you mean 'lockPath'?");
  }

  @Test
  void unknownKeyWithoutNeighbourListsAllowedKeys() {
    assertSingleProblem(
        "colour: red\n" + MINIMAL,
        "1:1",
        "unknown key 'colour' in the rules file (allowed: zookeeper, locks, mode, rules)");
  }

  @Test
  void listWhereAValueIsExpectedIsRejected() {
    assertSingleProblem(
        MINIMAL.replace("  connect: 127.0.0.1:2181", "  connect: a:1\n  namespace: [a, b]"),
        "3:14",
        "expected a single value here, not a list");
  }

  @Test
  void emptyValueIsRejected() {
    assertSingleProblem(
        MINIMAL.replace("dataset: this.path", "dataset:"),
        "8:13",
        "expected a single value here, not an empty value");
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

  @Test
  void ruleThatIsNotAMappingIsRejected() {
    List<String> problems =
        problems(
            """
            zookeeper:
              connect: 127.0.0.1:2181
            rules:
              - writes
            """);

    assertStartsWith(LABEL + ":4:5: a rule must be a mapping of key: value lines", problems.get(0));
  }

  // ---- missing keys -------------------------------------------------------------------------

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
  void missingRulesIsReported() {
    assertSingleProblem("zookeeper:\n  connect: 127.0.0.1:2181\n", "1:1", "'rules' is required");
  }

  @Test
  void emptyRulesListIsReported() {
    assertSingleProblem(
        "zookeeper:\n  connect: 127.0.0.1:2181\nrules: []\n", "3:8", "'rules' is empty");
  }

  @Test
  void ruleWithoutNameIsReportedAtTheRule() {
    assertSingleProblem(
        MINIMAL.replace("  - name: writes\n    class:", "  - class:"),
        "4:5",
        "the rule has no 'name'");
  }

  @Test
  void ruleWithoutClassIsReportedAtTheRule() {
    assertSingleProblem(
        MINIMAL.replace("    class: com.example.Dataset\n", ""),
        "4:5",
        "the rule selects no classes");
  }

  @Test
  void ruleWithoutMethodsIsReportedAtTheRule() {
    assertSingleProblem(
        MINIMAL.replace("    methods: [append, update]\n", ""), "4:5", "the rule has no 'methods'");
  }

  @Test
  void ruleWithEmptyMethodsIsReported() {
    assertSingleProblem(MINIMAL.replace("[append, update]", "[]"), "6:14", "'methods' is empty");
  }

  @Test
  void ruleWithoutLockIsReportedAtTheRule() {
    assertSingleProblem(MINIMAL.replace("    lock: write\n", ""), "4:5", "the rule has no 'lock'");
  }

  @Test
  void ruleWithoutDatasetOrLockPathIsReportedAtTheRule() {
    assertSingleProblem(
        MINIMAL.replace("    dataset: this.path\n", ""), "4:5", "the rule has no 'dataset'");
  }

  // ---- duplicates ---------------------------------------------------------------------------

  @Test
  void duplicateKeyNamesBothPlaces() {
    assertSingleProblem(
        MINIMAL.replace("  connect: 127.0.0.1:2181", "  connect: a:1\n  connect: b:2"),
        "3:3",
        "duplicate key 'connect' (first at rules.yaml:2:12)");
  }

  @Test
  void duplicateRuleNameNamesTheFirstRule() {
    String second =
        """
          - name: writes
            class: com.example.Other
            methods: [write]
            lock: write
            dataset: arg0
        """;
    assertSingleProblem(
        MINIMAL + second, "9:11", "rule name 'writes' is used twice (first at rules.yaml:4:11)");
  }

  // ---- bad values ---------------------------------------------------------------------------

  @Test
  void durationWithoutUnitIsRejected() {
    assertSingleProblem(
        MINIMAL.replace("rules:", "locks:\n  timeout: 30\nrules:"),
        "4:12",
        "'30' is not a duration; write a whole number with a unit: 500ms, 30s, 2m, 1h");
  }

  @Test
  void durationWithSpelledUnitIsRejected() {
    assertSingleProblem(
        MINIMAL.replace("  connect: 127.0.0.1:2181", "  connect: a:1\n  sessionTimeout: 5 sec"),
        "3:19",
        "'5 sec' is not a duration");
  }

  @Test
  void zeroTimeoutIsRejected() {
    assertSingleProblem(
        MINIMAL + "    timeout: 0ms\n", "9:14", "the duration must be greater than zero");
  }

  @Test
  void unknownLockModeIsRejected() {
    assertSingleProblem(
        MINIMAL.replace("lock: write", "lock: exclusive"),
        "7:11",
        "'exclusive' is not allowed here; write one of: read, write");
  }

  @Test
  void unknownOnTimeoutIsRejected() {
    assertSingleProblem(
        MINIMAL.replace("rules:", "locks:\n  onTimeout: skip\nrules:"),
        "4:14",
        "'skip' is not allowed here; write one of: fail, run-unlocked");
  }

  @Test
  void unknownProtocolIsRejected() {
    assertSingleProblem(
        MINIMAL.replace("rules:", "locks:\n  protocol: zookeeper\nrules:"),
        "4:13",
        "write one of: kazoo, curator");
  }

  @Test
  void yaml11BooleanNoIsNotReadAsFalse() {
    assertSingleProblem(
        MINIMAL.replace("rules:", "locks:\n  readLocks: no\nrules:"),
        "4:14",
        "expected true or false, not 'no'");
  }

  @Test
  void coalescingIsOnAndLingerOffByDefault() throws RuleFileException {
    AgentConfig config = parse(MINIMAL);
    assertTrue(config.coalesce());
    assertEquals(0, config.lingerMillis());
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
  void classThatIsNotAClassNameIsRejected() {
    assertSingleProblem(
        MINIMAL.replace("com.example.Dataset", "com/example/Dataset"),
        "5:12",
        "'com/example/Dataset' is not a class name");
  }

  @Test
  void namespaceWithLeadingSlashIsRejected() {
    assertSingleProblem(
        MINIMAL.replace("  connect: 127.0.0.1:2181", "  connect: a:1\n  namespace: /deeplake"),
        "3:14",
        "drop the leading '/'");
  }

  // ---- dataset expressions ------------------------------------------------------------------

  @Test
  void emptyStepInDatasetExpressionPointsAtTheStep() {
    // "    dataset: " is 13 characters: the value starts at column 14, the empty step at +5.
    assertSingleProblem(
        MINIMAL.replace("this.path", "this..path"),
        "8:19",
        "'' is not a field or getter; write a name (a field) or name() (a no-argument method)");
  }

  @Test
  void badStepInsideQuotedTemplatePointsAtTheStep() {
    // The quote is at column 14, the text starts at 15, "${" at 15 and the empty step at +7.
    assertSingleProblem(
        MINIMAL.replace("this.path", "\"${this..x}\""), "8:22", "'' is not a field or getter");
  }

  @Test
  void unsetEnvironmentVariableInDatasetTemplateIsReportedAtThePlaceholder() {
    // ${foo} is not an expression (this, argN, static), so it is an environment placeholder.
    assertSingleProblem(
        MINIMAL.replace("this.path", "\"s3://b/${foo}\""),
        "8:22",
        "environment variable foo is not set; set it, or give a default: ${foo:-value}");
  }

  @Test
  void escapedPlaceholderInDatasetTemplateMustBeAnExpression() {
    // $${foo} is a literal ${foo} for the template, which is not an expression.
    assertSingleProblem(
        MINIMAL.replace("this.path", "\"s3://b/$${foo}\""),
        "8:22",
        "'${foo}' in a dataset template must be an expression starting with this, argN or"
            + " static");
  }

  @Test
  void unclosedTemplatePlaceholderIsRejected() {
    assertSingleProblem(
        MINIMAL.replace("this.path", "\"s3://b/${arg0\""),
        "8:22",
        "unclosed '${' in dataset template");
  }

  @Test
  void staticRootWithoutClassIsRejected() {
    assertSingleProblem(
        MINIMAL.replace("this.path", "static DATASET"),
        "8:14",
        "must name a static field as static com.example.Config.FIELD");
  }

  @Test
  void hugeArgumentIndexIsRejected() {
    assertSingleProblem(
        MINIMAL.replace("this.path", "arg99999999999"), "8:14", "'arg99999999999' is too large");
  }

  // ---- method selectors and lock paths ------------------------------------------------------

  @Test
  void emptyParameterTypePointsIntoTheSelector() {
    // '[' at column 14, the quote at 15, the text at 16; the missing type is at offset 24.
    assertSingleProblem(
        MINIMAL.replace("[append, update]", "[\"append(java.lang.String,)\"]"),
        "6:40",
        "'' is not a parameter type");
  }

  @Test
  void methodNameStartingWithDigitIsRejected() {
    assertSingleProblem(
        MINIMAL.replace("[append, update]", "[append, 1append]"),
        "6:23",
        "'1append' is not a method");
  }

  @Test
  void relativeLockPathIsRejected() {
    assertSingleProblem(
        MINIMAL + "    lockPath: deeplake\n",
        "9:15",
        "'deeplake' must be an absolute znode path starting with '/'");
  }

  @Test
  void lockPathWithEmptySegmentIsRejected() {
    assertSingleProblem(
        MINIMAL + "    lockPath: /a//b\n", "9:15", "'/a//b' has an empty, '.' or '..' segment");
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

  // ---- environment --------------------------------------------------------------------------

  @Test
  void unsetEnvironmentVariableWithoutDefaultIsRejected() {
    // The quote is at column 14, so the placeholder is at 15.
    assertSingleProblem(
        MINIMAL.replace("  connect: 127.0.0.1:2181", "  connect: a:1\n  namespace: \"${NS}\""),
        "3:15",
        "environment variable NS is not set; set it, or give a default: ${NS:-value}");
  }

  @Test
  void unsetEnvironmentVariableInsideQuotedTextPointsAtThePlaceholder() {
    // The quote is at column 14, the text at 15, and the placeholder 3 characters further.
    assertSingleProblem(
        MINIMAL.replace("  connect: 127.0.0.1:2181", "  connect: a:1\n  namespace: \"ns-${NS}\""),
        "3:18",
        "environment variable NS is not set");
  }

  @Test
  void emptyEnvironmentVariableWithoutDefaultIsRejected() {
    assertSingleProblem(
        MINIMAL.replace("  connect: 127.0.0.1:2181", "  connect: a:1\n  namespace: \"${EMPTY}\""),
        "3:15",
        "environment variable EMPTY is not set");
  }

  @Test
  void placeholderThatIsNoVariableNameIsRejected() {
    assertSingleProblem(
        MINIMAL.replace("  connect: 127.0.0.1:2181", "  connect: a:1\n  namespace: \"${1ZK}\""),
        "3:15",
        "'${1ZK}' is not an environment placeholder; write ${NAME} or ${NAME:-default}");
  }

  // ---- YAML structure -----------------------------------------------------------------------

  @Test
  void emptyFileIsRejected() {
    assertSingleProblem("", "1:1", "the rules file is empty");
  }

  @Test
  void commentOnlyFileIsRejected() {
    assertSingleProblem("  \n# nothing but a comment\n\n   \n", "1:1", "the rules file is empty");
  }

  @Test
  void secondDocumentIsRejectedWhereItStarts() {
    assertSingleProblem(
        MINIMAL + "---\nzookeeper:\n  connect: other:2181\n",
        "10:1",
        "the file holds more than one YAML document");
  }

  @Test
  void pythonObjectTagIsRejected() {
    assertSingleProblem(
        MINIMAL.replace(
            "rules:", "locks:\n  root: !!python/object/apply:os.system [\"id\"]\nrules:"),
        "4:9",
        "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed in a rules"
            + " file");
  }

  @Test
  void localTagIsRejected() {
    assertSingleProblem(
        MINIMAL.replace("  connect: 127.0.0.1:2181", "  connect: a:1\n  namespace: !foo bar"),
        "3:14",
        "YAML tag '!foo' is not allowed in a rules file");
  }

  @Test
  void tagOnTheWholeDocumentIsRejected() {
    List<String> problems = problems("!!python/object:os.system\n" + MINIMAL);

    assertStartsWith(
        LABEL + ":1:1: YAML tag 'tag:yaml.org,2002:python/object:os.system' is not allowed",
        problems.get(0));
  }

  @Test
  void unclosedQuoteIsASyntaxErrorAtTheEndOfInput() {
    assertSingleProblem(
        "zookeeper:\n  connect: \"127.0.0.1:2181\n",
        "3:1",
        "YAML syntax error: found unexpected end of stream");
  }

  @Test
  void badIndentationIsASyntaxErrorWhereItHappens() {
    assertSingleProblem(
        MINIMAL.replace("  connect: 127.0.0.1:2181", "  connect: a:1\n sessionTimeout: 5s"),
        "3:2",
        "YAML syntax error:");
  }

  @Test
  void aliasBombIsRefused() {
    StringBuilder yaml = new StringBuilder("a0: &a0 [x, x]\n");
    for (int i = 1; i <= 30; i++) {
      yaml.append("a").append(i).append(": &a").append(i);
      yaml.append(" [*a").append(i - 1).append(", *a").append(i - 1).append("]\n");
    }
    RuleFileException e = assertThrows(RuleFileException.class, () -> parse(yaml.toString()));

    assertEquals(1, e.problems().size(), e.getMessage());
    assertStartsWith(LABEL + ":1:1: YAML error: ", e.problems().get(0));
    assertTrue(e.problems().get(0).contains("aliases"), e.getMessage());
  }

  // ---- class selection and rule interplay --------------------------------------------------

  @Test
  void classGlobAndSubtypesAreAccepted() throws RuleFileException {
    String second =
        """
          - name: stores
            subtypesOf: com.example.Store
            methods: [put*]
            lock: write
            dataset: arg0
            afterAcquire: this.reload()
        """;
    AgentConfig config =
        parse(MINIMAL.replace("com.example.Dataset", "com.example..*Dataset") + second);

    Rule glob = config.rules().get(0);
    assertFalse(glob.classPattern().isExact());
    assertTrue(glob.classPattern().matches("com.example.sub.PartDataset"));
    Rule stores = config.rules().get(1);
    assertNull(stores.classPattern());
    assertEquals("com.example.Store", stores.subtypesOf());
    assertEquals("this.reload()", stores.afterAcquire().source());
  }

  @Test
  void classAndSubtypesOfTogetherAreRejected() {
    assertSingleProblem(
        MINIMAL + "    subtypesOf: com.example.Store\n",
        "9:17",
        "give either class or subtypesOf, not both");
  }

  @Test
  void afterAcquireMustCallAMethodOfTheReceiver() {
    assertSingleProblem(
        MINIMAL + "    afterAcquire: this.path\n",
        "9:19",
        "afterAcquire must call a no-argument method on the receiver");
  }

  @Test
  void twoRulesPuttingDifferentLocksOnOneMethodAreRejected() {
    String second =
        """
          - name: reads
            class: com.example.Dataset
            methods: [search, update]
            lock: read
            dataset: this.path
        """;
    assertSingleProblem(
        MINIMAL + second,
        "9:5",
        "rules 'writes' (rules.yaml:4:5) and 'reads' both guard com.example.Dataset.update with"
            + " different locks (write lock on this.path vs read lock on this.path)");
  }

  @Test
  void twoRulesPuttingTheSameLockOnOneMethodAreAccepted() throws RuleFileException {
    String second =
        """
          - name: more-writes
            class: com.example.Dataset
            methods: [update, delete]
            lock: write
            dataset: this.path
        """;
    assertEquals(2, parse(MINIMAL + second).rules().size());
  }

  // ---- file-level problems ------------------------------------------------------------------

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

  // ---- all problems at once -----------------------------------------------------------------

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

  // ---- zookeeper security -------------------------------------------------------------------

  @Test
  void withoutAuthTheClientIsAnonymousWithOpenAcls() throws RuleFileException {
    assertEquals(ZooKeeperSecurity.NONE, parse(MINIMAL).security());
  }

  @Test
  void digestAuthReadsItsCredentialsFromTheEnvironmentAndDefaultsToCreatorAcl()
      throws RuleFileException {
    ZooKeeperSecurity security =
        parse(MINIMAL.replace(ZK, ZK + "  auth: {scheme: digest, credentials: \"${ZK_DIGEST}\"}\n"))
            .security();
    assertEquals(ZooKeeperSecurity.Scheme.DIGEST, security.scheme());
    assertEquals("agent", security.digestUser());
    assertEquals("agent:pw-42", security.digestCredentials().reveal());
    assertEquals(ZooKeeperSecurity.Acl.CREATOR, security.acl());
    assertEquals("digest auth as 'agent', ACL creator, plaintext", security.toString());
  }

  @Test
  void literalCredentialIsRefusedWithoutBeingRepeated() {
    List<String> problems =
        problems(
            MINIMAL.replace(
                ZK, ZK + "  auth:\n    scheme: digest\n    credentials: bob:hunter2\n"));
    assertEquals(1, problems.size(), String.join("\n", problems));
    assertStartsWith(
        LABEL + ":5:18: credentials must not be written in the rules file", problems.get(0));
    assertFalse(problems.get(0).contains("hunter2"), problems.get(0));
  }

  @Test
  void placeholderWithADefaultCredentialIsRefusedToo() {
    List<String> problems =
        problems(
            MINIMAL.replace(
                ZK, ZK + "  auth: {scheme: digest, credentials: \"${ZK_DIGEST:-bob:hunter2}\"}\n"));
    assertEquals(1, problems.size(), String.join("\n", problems));
    assertTrue(problems.get(0).contains("(one placeholder, no default)"), problems.get(0));
    assertFalse(problems.get(0).contains("hunter2"), problems.get(0));
  }

  @Test
  void credentialsWithoutAUserAreRefusedNamingOnlyTheVariable() {
    assertSingleProblem(
        MINIMAL.replace(ZK, ZK + "  auth: {scheme: digest, credentials: \"${NO_USER}\"}\n"),
        "3:39",
        "the value of ${NO_USER} must be user:password; its user is empty");
  }

  @Test
  void unsetSecretVariableIsReportedWithoutSuggestingADefault() {
    assertSingleProblem(
        MINIMAL.replace(ZK, ZK + "  auth: {scheme: digest, credentials: \"${ZK_SECRET}\"}\n"),
        "3:39",
        "environment variable ZK_SECRET is not set; set it in the service's environment"
            + " (credentials is read from there only)");
  }

  @Test
  void creatorAclWithoutAnyIdentityIsRefused() {
    assertSingleProblem(
        MINIMAL.replace(ZK, ZK + "  acl: creator\n"),
        "3:8",
        "acl: creator gives the nodes to the client's authenticated identity, and this client has"
            + " none");
  }

  @Test
  void tlsStoresMustBeAbsoluteReadableFilesAndTheirPasswordsPlaceholders() throws IOException {
    Path trust = write("trust.p12", new byte[] {1});
    List<String> problems =
        problems(
            MINIMAL.replace(
                ZK,
                ZK
                    + "  tls:\n"
                    + "    trustStore: "
                    + trust
                    + "\n    trustStorePassword: changeit\n"
                    + "    keyStore: keys/client.p12\n"
                    + "    keyStoreType: DER\n"
                    + "    hostnameVerifcation: false\n"));
    String all = String.join("\n", problems);
    assertEquals(4, problems.size(), all);
    assertStartsWith(LABEL + ":5:25: trustStorePassword must not be written", problems.get(0));
    assertStartsWith(LABEL + ":6:15: keyStore must be an absolute path", problems.get(1));
    assertStartsWith(LABEL + ":7:19: 'DER' is not a key store type", problems.get(2));
    assertStartsWith(LABEL + ":8:5: unknown key 'hostnameVerifcation'", problems.get(3));
    assertFalse(all.contains("changeit"), all);
  }

  @Test
  void saslNamesAJaasSectionThatTheJaasFileMustHave() throws IOException, RuleFileException {
    Path jaas =
        write(
            "jaas.conf",
            "Other {\n  com.sun.security.auth.module.Krb5LoginModule required;\n};\n"
                .getBytes(StandardCharsets.UTF_8));
    String sasl = ZK + "  auth: {scheme: sasl, jaasFile: " + jaas + ", section: %s}\n";
    ZooKeeperSecurity security = parse(MINIMAL.replace(ZK, sasl.formatted("Other"))).security();
    assertEquals("Other", security.saslSection());
    assertEquals(jaas.toString(), security.jaasFile());
    assertEquals(ZooKeeperSecurity.Acl.CREATOR, security.acl());
    assertSingleProblem(
        MINIMAL.replace(ZK, sasl.formatted("Client")),
        "3:" + (45 + jaas.toString().length()),
        "the JAAS file " + jaas + " has no section named 'Client'");
  }

  // ---- helpers ------------------------------------------------------------------------------

  /** The connect line of {@link #MINIMAL}, to append zookeeper keys after. */
  private static final String ZK = "  connect: 127.0.0.1:2181\n";

  private static AgentConfig parse(String text) throws RuleFileException {
    return RuleFile.parse(LABEL, text, ENV::get);
  }

  private static List<String> problems(String text) {
    return assertThrows(RuleFileException.class, () -> parse(text)).problems();
  }

  private static void assertSingleProblem(String text, String lineColumn, String fragment) {
    List<String> problems = problems(text);
    String all = String.join("\n", problems);
    assertEquals(1, problems.size(), all);
    assertStartsWith(LABEL + ":" + lineColumn + ": ", problems.get(0));
    assertTrue(problems.get(0).contains(fragment), () -> "expected '" + fragment + "' in " + all);
  }

  private static void assertStartsWith(String prefix, String actual) {
    assertTrue(actual.startsWith(prefix), () -> "expected '" + prefix + "...' but got " + actual);
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, bytes);
    return file;
  }

  @Test
  void unquotedPlaceholderExpandsFromTheEnvironment() throws RuleFileException {
    // snakeyaml-engine tags a plain ${...} value !ENV_VARIABLE itself; it must read as text.
    assertEquals(
        "zk1:2181,zk2:2181",
        parse(MINIMAL.replace("connect: 127.0.0.1:2181", "connect: ${ZK_HOST}")).connect());
    assertEquals(
        "localhost",
        parse(MINIMAL.replace("connect: 127.0.0.1:2181", "connect: ${ZK:-localhost}")).connect());
  }

  @Test
  void invalidConnectIsReportedOnce() {
    assertSingleProblem(
        MINIMAL.replace("connect: 127.0.0.1:2181", "connect: [a, b]"),
        "2:12",
        "expected a single value");
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
