package io.deeplakelock.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/** Unit tests for {@link StderrLoggerFactory} and the {@link StderrLogger}s it hands out. */
class StderrLoggerFactoryTest {

  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private PrintStream originalErr;

  @BeforeEach
  void captureStderr() {
    originalErr = System.err;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreStderr() {
    System.setErr(originalErr);
  }

  @Test
  void unsetLevelIsWarn() {
    assertEquals(Level.WARN, StderrLoggerFactory.threshold(null));
    assertEquals(Level.WARN, StderrLoggerFactory.threshold(""));
    assertEquals(Level.WARN, StderrLoggerFactory.threshold("   "));
    assertEquals("", stderr());
  }

  @ParameterizedTest
  @CsvSource({
    "error, ERROR",
    "warn, WARN",
    "info, INFO",
    "debug, DEBUG",
    "trace, TRACE",
    "DEBUG, DEBUG",
    "' Info ', INFO",
  })
  void namedLevelIsUsedWhateverItsCase(String setting, Level level) {
    assertEquals(level, StderrLoggerFactory.threshold(setting));
  }

  @Test
  void junkLevelFallsBackToWarnAndSaysSo() {
    assertEquals(Level.WARN, StderrLoggerFactory.threshold("verbose"));

    assertTrue(
        stderr().startsWith("deeplake-lock: DEEPLAKE_LOCK_LOG='verbose' is not a level"), stderr());
  }

  @Test
  void loggerAtWarnDropsDebugAndPrintsWarnings() {
    Logger log = new StderrLogger("io.deeplakelock.lock.LockService", Level.WARN);

    assertFalse(log.isDebugEnabled());
    assertFalse(log.isInfoEnabled());
    assertTrue(log.isWarnEnabled());
    assertTrue(log.isErrorEnabled());
    log.debug("hidden {}", 1);
    log.warn("session {} lost", "0x1");

    String line = stderr().trim();
    assertFalse(line.contains("hidden"), line);
    assertTrue(line.contains(" deeplake-lock WARN ["), line);
    assertTrue(line.endsWith("] io.deeplakelock.lock.LockService: session 0x1 lost"), line);
  }

  @Test
  void relocatedLibraryNamesLoseTheShadePrefix() {
    Logger log = new StderrLogger("io.deeplakelock.shaded.zookeeper.ClientCnxn", Level.WARN);

    assertEquals("zookeeper.ClientCnxn", log.getName());
  }

  @Test
  void libraryStackTracesAreOneLineUnlessDebugging() {
    new StderrLogger("io.deeplakelock.shaded.zookeeper.ClientCnxn", Level.WARN)
        .warn("reconnect failed", new IllegalStateException("refused"));

    assertEquals(1, stderr().lines().count(), stderr());
    assertTrue(stderr().contains("(java.lang.IllegalStateException: refused)"), stderr());
  }

  @Test
  void agentStackTracesArePrinted() {
    new StderrLogger("io.deeplakelock.agent.TransformLog", Level.WARN)
        .error("could not instrument", new IllegalStateException("bad class"));

    assertTrue(stderr().lines().count() > 1, stderr());
    assertTrue(stderr().contains("java.lang.IllegalStateException: bad class"), stderr());
  }

  @Test
  void factoryHandsOutOneLoggerPerName() {
    StderrLoggerFactory factory = new StderrLoggerFactory();

    assertSame(factory.getLogger("a.B"), factory.getLogger("a.B"));
  }

  private String stderr() {
    return captured.toString(StandardCharsets.UTF_8);
  }
}
