package io.deeplakelock.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Unit tests for {@link AuditSection}: the audit section and {@code mode: discover}. */
class AuditSectionTest extends RuleFileFixture {

  @Test
  void withoutAnAuditSectionNothingIsWatched() throws RuleFileException {
    AgentConfig config = parse(MINIMAL);
    assertEquals(AuditSettings.OFF, config.audit());
    assertFalse(config.watchesFiles());
    assertEquals(RolloutMode.ENFORCE, config.mode());
  }

  @Test
  void warnWithRootsAndALimit() throws RuleFileException {
    AgentConfig config =
        parse(
            MINIMAL
                + "audit:\n  mode: warn\n  roots: [/data/sets, relative/dir]\n"
                + "  reportsPerMinute: 5\n");
    AuditSettings audit = config.audit();
    assertEquals(AuditSettings.Mode.WARN, audit.mode());
    assertEquals(Arrays.asList("/data/sets", "relative/dir"), audit.roots());
    assertEquals(5, audit.reportsPerMinute());
    assertTrue(config.watchesFiles());
  }

  @Test
  void unknownKeyIsRefusedWithASuggestion() {
    assertSingleProblem(
        MINIMAL + "audit:\n  mode: warn\n  root: [/data]\n",
        "11:3",
        "unknown key 'root' in audit; did you mean 'roots'?");
  }

  @Test
  void badModeNamesTheChoices() {
    assertSingleProblem(MINIMAL + "audit: {mode: loud}\n", "9:15", "write one of: off, warn, fail");
  }

  @Test
  void remoteRootsAreRefusedBecauseTheAuditCannotSeeThem() {
    assertSingleProblem(
        MINIMAL + "audit:\n  mode: warn\n  roots:\n    - /data\n    - s3://bucket/sets\n",
        "13:7",
        "s3: datasets are never opened as files");
  }

  @Test
  void theFileSystemRootIsRefused() {
    assertSingleProblem(MINIMAL + "audit: {mode: warn, roots: [/]}\n", "9:29", "'/' would make");
  }

  @Test
  void reportsPerMinuteMustBeAPositiveWholeNumber() {
    assertSingleProblem(
        MINIMAL + "audit: {mode: warn, reportsPerMinute: 0}\n", "9:39", "from 1 to 10000");
  }

  @Test
  void discoverNeedsNoRulesButRoots() throws RuleFileException {
    AgentConfig config =
        parse(
            "zookeeper:\n  connect: 127.0.0.1:2181\nmode: discover\n"
                + "audit:\n  roots: [/data/sets]\n  draft: out/draft.yaml\n");
    assertTrue(config.discovering());
    assertTrue(config.watchesFiles());
    assertTrue(config.rules().isEmpty());
    assertEquals("out/draft.yaml", config.audit().draft());
    assertSingleProblem(
        "zookeeper:\n  connect: 127.0.0.1:2181\nmode: discover\n", "3:7", "needs directories");
  }

  @Test
  void discoverRunsTheFilesRulesWithoutLocks() throws RuleFileException {
    AgentConfig config = parse(MINIMAL + "mode: discover\naudit: {roots: [/data/sets]}\n");
    assertEquals(RolloutMode.SHADOW, config.rules().get(0).rollout());
  }

  @Test
  void discoverIsForTheWholeFileNotOneRule() {
    assertSingleProblem(
        MINIMAL + "    mode: discover\n", "9:11", "write one of: enforce, observe, shadow");
  }

  @Test
  void failWhileDiscoveringIsRefused() {
    assertSingleProblem(
        MINIMAL + "mode: discover\naudit: {mode: fail, roots: [/d]}\n",
        "10:15",
        "mode: discover takes no locks");
  }
}
