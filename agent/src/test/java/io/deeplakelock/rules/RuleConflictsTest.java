package io.deeplakelock.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Unit tests for {@link RuleConflicts}, through whole rules files. */
class RuleConflictsTest extends RuleFileFixture {

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
}
