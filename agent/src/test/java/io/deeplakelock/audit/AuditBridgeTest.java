package io.deeplakelock.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.bridge.AuditBridge;
import io.deeplakelock.bridge.AuditHandler;
import java.io.File;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Unit tests for {@link AuditBridge}: its recursion guard and how it names operations. */
class AuditBridgeTest {

  private final List<String> seen = new ArrayList<>();

  @AfterEach
  void unplug() {
    AuditBridge.install(null);
  }

  /** A handler that, like a real one, touches files itself while it decides. */
  private final class Recursing implements AuditHandler {
    @Override
    public boolean concerns(Object file) {
      return true;
    }

    @Override
    public void check(Object file, int operation) {
      seen.add(AuditBridge.label(operation) + " " + file);
      AuditBridge.check(new File("/handler/own/log"), AuditBridge.APPEND);
    }

    @Override
    public Object enter(int candidate, Object self, Object[] args) {
      AuditBridge.check(new File("/handler/inside/enter"), AuditBridge.READ);
      return "entered";
    }

    @Override
    public void leave(Object entered) {
      seen.add("leave " + entered);
    }
  }

  @Test
  void theHandlersOwnFileOperationsAreNeverChecked() {
    AuditBridge.install(new Recursing());
    AuditBridge.check(new File("/d/a"), AuditBridge.DELETE);
    AuditBridge.output(new File("/d/b"), true);
    assertEquals(List.of("delete /d/a", "append-open /d/b"), seen);
  }

  @Test
  void aQuietThreadIsNotCheckedUntilItIsLoudAgain() {
    AuditBridge.install(new Recursing());
    boolean marked = AuditBridge.quiet();
    assertTrue(marked);
    assertFalse(AuditBridge.quiet(), "nested quiet does not mark again");
    AuditBridge.check(new File("/d/agent-draft"), AuditBridge.TRUNCATE);
    AuditBridge.loud(false);
    AuditBridge.check(new File("/d/still-quiet"), AuditBridge.TRUNCATE);
    AuditBridge.loud(marked);
    AuditBridge.check(new File("/d/service"), AuditBridge.TRUNCATE);
    assertEquals(List.of("truncating write-open /d/service"), seen);
  }

  @Test
  void otherThreadsAreCheckedWhileOneIsBusy() throws InterruptedException {
    AuditBridge.install(new Recursing());
    boolean marked = AuditBridge.quiet();
    Thread other = new Thread(() -> AuditBridge.check(new File("/d/other"), AuditBridge.MKDIR));
    other.start();
    other.join();
    AuditBridge.loud(marked);
    assertEquals(List.of("mkdir /d/other"), seen);
  }

  @Test
  void discoveryCallsAreBalancedAndUnchecked() {
    AuditBridge.install(new Recursing());
    Object entered = AuditBridge.enter(3, null, new Object[0]);
    AuditBridge.leave(entered);
    assertEquals(List.of("leave entered"), seen);
  }

  @Test
  void openOptionsSayWhatHappensToTheFile() {
    assertEquals(AuditBridge.READ, AuditBridge.openOperation(EnumSet.of(StandardOpenOption.READ)));
    assertEquals(
        AuditBridge.TRUNCATE,
        AuditBridge.openOperation(
            EnumSet.of(
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)));
    assertEquals(
        AuditBridge.APPEND,
        AuditBridge.openOperation(EnumSet.of(StandardOpenOption.WRITE, StandardOpenOption.APPEND)));
    assertEquals(
        AuditBridge.WRITE,
        AuditBridge.openOperation(
            EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)));
  }

  @Test
  void withoutAHandlerNothingHappens() {
    AuditBridge.check(new File("/d/a"), AuditBridge.DELETE);
    AuditBridge.randomAccess(new File("/d/a"), "rw");
    assertEquals(null, AuditBridge.enter(1, null, null));
  }
}
