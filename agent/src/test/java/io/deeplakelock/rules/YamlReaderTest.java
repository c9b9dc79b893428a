package io.deeplakelock.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Unit tests for {@link YamlReader}, through whole rules files: YAML structure, keys, typed scalars
 * and environment placeholders.
 */
class YamlReaderTest extends RuleFileFixture {

  // ---- YAML structure ------------------------------------------------------------------

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

  // ---- unknown keys and wrong types ----------------------------------------------------

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
        "unknown key 'colour' in the rules file (allowed: zookeeper, locks, mode, audit, rules)");
  }

  @Test
  void duplicateKeyNamesBothPlaces() {
    assertSingleProblem(
        MINIMAL.replace("  connect: 127.0.0.1:2181", "  connect: a:1\n  connect: b:2"),
        "3:3",
        "duplicate key 'connect' (first at rules.yaml:2:12)");
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

  // ---- typed scalars -------------------------------------------------------------------

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
  void unknownOnTimeoutIsRejected() {
    assertSingleProblem(
        MINIMAL.replace("rules:", "locks:\n  onTimeout: skip\nrules:"),
        "4:14",
        "'skip' is not allowed here; write one of: fail, run-unlocked");
  }

  @Test
  void yaml11BooleanNoIsNotReadAsFalse() {
    assertSingleProblem(
        MINIMAL.replace("rules:", "locks:\n  readLocks: no\nrules:"),
        "4:14",
        "expected true or false, not 'no'");
  }

  // ---- environment ---------------------------------------------------------------------

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
}
