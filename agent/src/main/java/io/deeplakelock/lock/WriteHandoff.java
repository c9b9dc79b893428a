package io.deeplakelock.lock;

/**
 * This JVM's write node and its hand-off from one local writer to the next: only the head of the
 * JVM's writers holds a ZooKeeper node, and a writer that leaves may give it straight to the next.
 *
 * <p><b>States</b> (transitions made only by {@link LockEngine}, under its lock):
 *
 * <pre>
 *   QUEUING --node granted, a writer waits--> IN_USE
 *   QUEUING --node granted, nobody waits-----> IDLE (linger) | released
 *   IN_USE  --owner leaves, next writer may take it--> IN_USE (passed: same node, same token)
 *   IN_USE  --owner leaves, nobody waits, linger, uncontended--> IDLE
 *   IDLE    --a local writer claims it--> IN_USE
 *   any     --suspect, lost, contended past the bound, linger over, a local reader needs to queue--> released
 * </pre>
 *
 * A node is passed at most {@link LockEngine#MAX_PASSES_WHILE_CONTENDED} times once another
 * contender queues behind it, and is never kept idle while one does.
 */
final class WriteHandoff extends Hold {

  enum State {
    QUEUING,
    IN_USE,
    IDLE,
    RELEASED
  }

  State state = State.QUEUING;

  /** The call running under the node (IN_USE), for status. */
  Request owner;

  /** Hand-offs since the node became contended. */
  int passesWhileContended;

  /** When the node went idle, for the linger timer. */
  long idleSince;

  boolean lingerScheduled;

  /** When the pending check is due (valid while {@link #lingerScheduled}). */
  long checkAt;

  WriteHandoff(OwnNode node) {
    super(node);
  }

  @Override
  String describe() {
    String lost = node.lost == null ? "" : " (lost: " + node.lost + ")";
    String who;
    switch (state) {
      case IDLE:
        who = " (lingering)";
        break;
      case IN_USE:
        who = owner == null ? "" : " (" + owner.thread.getName() + ")";
        break;
      case QUEUING:
        who = " (queued)";
        break;
      default:
        who = " (released)";
    }
    return "write node " + node.name() + who + lost;
  }
}
