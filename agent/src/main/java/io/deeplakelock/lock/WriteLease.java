package io.deeplakelock.lock;

import io.deeplakelock.bridge.LockMode;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * This JVM's write node. Only the head of the local writer queue holds it; on release it may be
 * handed to the next local writer, or kept for a short linger, instead of being removed.
 *
 * <p>States: {@link #IN_USE} while a writer runs; {@link #PASSED} from a writer's release until the
 * next local writer claims it; {@link #IDLE} while lingering; {@link #RELEASED} once its node is
 * being removed. A lingering node may be released by the linger timer or by the queue watch (a
 * contender appeared), racing a local writer that claims it: the state's compare-and-set decides.
 */
final class WriteLease extends Lease {

  static final int IN_USE = 0;
  static final int PASSED = 1;
  static final int IDLE = 2;
  static final int RELEASED = 3;

  final AtomicInteger state = new AtomicInteger(IN_USE);

  /** One timer check per lease looks for a node passed to a writer that gave up. */
  final AtomicBoolean passCheckScheduled = new AtomicBoolean();

  /** Another contender (of any process, including a reader of this one) queued behind the node. */
  volatile boolean contended;

  /** Hand-offs to local writers since the node became contended. */
  int passesWhileContended;

  /** When the lease went idle, for the linger timer. */
  volatile long idleSince;

  /** The writer running under the lease now, for status. */
  volatile Thread owner;

  WriteLease(LockNode node) {
    super(node, LockMode.WRITE);
  }
}
