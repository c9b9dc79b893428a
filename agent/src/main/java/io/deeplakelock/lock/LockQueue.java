package io.deeplakelock.lock;

import io.deeplakelock.bridge.LockMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Observe mode's look at one lock path's queue: would a call arriving now have to wait? */
final class LockQueue {

  private static final Logger log = LoggerFactory.getLogger(LockQueue.class);

  private LockQueue() {}

  /**
   * Reads the queue in the background, creating nothing, and counts whether a call of {@code mode}
   * arriving now would have had to wait. The caller never waits for the answer.
   */
  static void observe(LockService service, String path, LockMode mode, LockStats stats) {
    stats.observed.increment();
    if (!service.client().getZookeeperClient().isConnected()) {
      return; // unknown: nothing to count, and nothing may be delayed
    }
    try {
      service
          .client()
          .getChildren()
          .inBackground(
              (client, event) -> {
                if (event.getChildren() == null) {
                  return; // no queue at all (NoNode): nobody to wait for
                }
                for (String child : event.getChildren()) {
                  LockNodeName.Contender c = LockNodeName.parse(child);
                  if (c != null && (mode == LockMode.WRITE || c.write)) {
                    stats.wouldWait.increment();
                    stats.lastBlocker = child;
                    return;
                  }
                }
              })
          .forPath(path);
    } catch (Exception e) {
      log.debug("observe: reading {} failed: {}", path, e.toString());
    }
  }
}
