package io.deeplakelock.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the rules file tests share: a valid file to vary, an environment, a folder for files, and
 * assertions on the problems a variant is refused with.
 */
abstract class RuleFileFixture {

  static final String LABEL = "rules.yaml";
  static final Map<String, String> ENV =
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

  /** A valid file; the invalid variants in the tests differ from it in one place. */
  static final String MINIMAL =
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

  /** The connect line of {@link #MINIMAL}, to append zookeeper keys after. */
  static final String ZK = "  connect: 127.0.0.1:2181\n";

  @TempDir Path dir;

  static AgentConfig parse(String text) throws RuleFileException {
    return RuleFile.parse(LABEL, text, ENV::get);
  }

  static List<String> problems(String text) {
    return assertThrows(RuleFileException.class, () -> parse(text)).problems();
  }

  static void assertSingleProblem(String text, String lineColumn, String fragment) {
    List<String> problems = problems(text);
    String all = String.join("\n", problems);
    assertEquals(1, problems.size(), all);
    assertStartsWith(LABEL + ":" + lineColumn + ": ", problems.get(0));
    assertTrue(problems.get(0).contains(fragment), () -> "expected '" + fragment + "' in " + all);
  }

  static void assertStartsWith(String prefix, String actual) {
    assertTrue(actual.startsWith(prefix), () -> "expected '" + prefix + "...' but got " + actual);
  }

  Path write(String name, byte[] bytes) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, bytes);
    return file;
  }
}
