package io.deeplakelock.lock;

import io.deeplakelock.bridge.LockLostException;
import io.deeplakelock.rules.LockPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a lost lock is told: to the call that ran under it, by its rule's {@code onLockLost} policy
 * (throw {@link LockLostException}, or log), and in the log when it is found only after the last
 * call under the node ended.
 */
final class LockLossReport {

  private static final Logger log = LoggerFactory.getLogger(LockLossReport.class);

  private LockLossReport() {}

  /**
   * Tells the call that it ran, at least in part, without the lock: logs an ERROR, then throws
   * unless the rule says {@code onLockLost: log}.
   */
  static void toCall(LockCall call, String lockPath, LockLoss why) {
    String message =
        "the "
            + call.describe(lockPath)
            + " was lost while the call ran ("
            + why
            + "): another process may have held the same lock at the same time, so treat this"
            + " write as possibly overlapping another writer";
    log.error(message);
    if (call.request.policy.onLockLost() == LockPolicy.OnLockLost.THROW) {
      throw new LockLostException(message);
    }
  }

  /**
   * A node found lost when no call held it any more. The calls that used it were told what this JVM
   * knew when they ended; a loss ZooKeeper had not reported by then may still have overlapped one
   * of them, so it is logged (not counted: it may as well have happened while the node was idle).
   */
  static void lostAfterReturn(OwnNode node, LockLoss why) {
    log.warn(
        "the {} lock node {} of this JVM was lost ({}) after its last call ended; if that"
            + " happened during the call, the call may have overlapped another process",
        node.mode.label(),
        node.path,
        why);
  }

  /** ZooKeeper refused to remove our node: it stays until its session ends. */
  static void removalFailed(String lockPath, String node, String detail) {
    log.warn(
        "could not remove lock node {} of {} ({}); it goes when this JVM's session ends",
        node,
        lockPath,
        detail);
  }
}
