package io.deeplakelock.lock;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Warns once per lock path when the other protocol family (kazoo-style nodes beside Curator-style
 * ones, or the reverse) queues on it too: the two interoperate, but a user mixing them by mistake
 * should hear of it. At most {@link #MAX_PATHS} paths are warned about one by one, and so
 * remembered; one more line says that further paths are not reported, so a service meeting mixed
 * queues on ever new datasets keeps neither a path per dataset nor a log line per dataset.
 *
 * <p><b>Threads.</b> {@link #queue} runs on the store's event thread for every lock engine (it is
 * their queue listener) and needs no lock while a queue holds only this agent's family. <b>Guarded
 * by {@code this}</b>: the set of warned paths and whether the overflow line was written.
 */
final class ForeignFamilyWarnings implements LockEngine.QueueListener {

  /** The most paths warned about, and so remembered. */
  static final int MAX_PATHS = 1_024;

  private final boolean oursKazoo;
  private final Consumer<String> warn;
  private final Set<String> warned = new HashSet<>();
  private boolean toldOfMore;

  /**
   * @param oursKazoo whether this agent writes kazoo-style nodes
   * @param warn where each warning line goes (the agent's log)
   */
  ForeignFamilyWarnings(boolean oursKazoo, Consumer<String> warn) {
    this.oursKazoo = oursKazoo;
    this.warn = warn;
  }

  @Override
  public void queue(String path, List<LockNodeName.Contender> contenders) {
    for (LockNodeName.Contender c : contenders) {
      if (c.kazooFamily != oursKazoo) {
        String line = lineFor(path, c);
        if (line != null) {
          warn.accept(line); // outside the lock: the log may block
        }
        return;
      }
    }
  }

  /** The warning to write for {@code path} where {@code foreign} queues, or null for none. */
  private synchronized String lineFor(String path, LockNodeName.Contender foreign) {
    String family = foreign.kazooFamily ? "kazoo-style" : "Curator-style";
    if (warned.size() < MAX_PATHS) {
      return warned.add(path)
          ? "lock path "
              + path
              + " also has "
              + family
              + " lock nodes ("
              + foreign.name
              + "); they are queued together with ours"
          : null;
    }
    if (toldOfMore || warned.contains(path)) {
      return null;
    }
    toldOfMore = true;
    return "lock paths beyond these "
        + MAX_PATHS
        + " also have "
        + family
        + " lock nodes queued together with ours; not reported one by one";
  }

  /** How many paths this remembers. */
  synchronized int remembered() {
    return warned.size();
  }
}
