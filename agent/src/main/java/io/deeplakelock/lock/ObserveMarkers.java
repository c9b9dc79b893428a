package io.deeplakelock.lock;

import io.deeplakelock.bridge.LockMode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Observe mode across processes: while an observed call runs, an ephemeral sequential marker stands
 * for it under the lock path, so that observers in other JVMs count it as a contender they would
 * have waited for.
 *
 * <p><b>The family.</b> Markers are named {@code __obsw__<seq>} (an observed writer) and {@code
 * __obsr__<seq>} (a reader). Neither name matches a lock contender of any family ({@link
 * LockNodeName}, kazoo's {@code (?:__lock__|__rlock__)(-?\d{10})$}), so enforcing lockers, kazoo
 * and the {@code locks} command ignore them; Curator's own recipes sort a name without their lock
 * marker by its whole text, which puts {@code __obs...} after every {@code 0000000012}-style
 * contender, never before one.
 *
 * <p><b>Counting.</b> A marker shares the lock path's sequence with real contenders. Once created,
 * the observer lists the path and counts its call as one that would have waited when a conflicting
 * contender or marker with a lower sequence is there (a writer conflicts with everyone, a reader
 * with writers): exactly the nodes a real lock would have queued behind. Of two overlapping
 * observed calls, the later marker therefore sees the earlier one.
 *
 * <p><b>Never blocking.</b> Creating, listing and deleting all run in the background; the caller
 * never waits. A marker therefore appears about one round trip after its call starts and goes about
 * one round trip after it ends: calls shorter than that may go unseen, and a call that follows
 * another within a round trip may count it.
 */
final class ObserveMarkers {

  private static final Logger log = LoggerFactory.getLogger(ObserveMarkers.class);

  static final String WRITE = "__obsw__";
  static final String READ = "__obsr__";
  private static final Pattern MARKER = Pattern.compile("(__obsw__|__obsr__)(-?\\d{10})$");

  /** What a marker's state holds once its call has ended. */
  private static final String CLOSED = "";

  /**
   * The locks (by their counters: one per lock path and client) that this thread's observed calls
   * have markers on: a nested call adds none.
   */
  private static final ThreadLocal<Set<LockCounters>> OPEN =
      new ThreadLocal<Set<LockCounters>>() {
        @Override
        protected Set<LockCounters> initialValue() {
          return new HashSet<>();
        }
      };

  /** Closes nothing: the call nests in another observed call on the same path and thread. */
  private static final AutoCloseable NESTED = () -> {};

  private ObserveMarkers() {}

  /**
   * Counts the call as observed, and queues its marker and the look at the queue in the background.
   *
   * @return closes the marker when the call ends; null when ZooKeeper is not connected (nothing can
   *     be known then, and nothing may be delayed)
   */
  static AutoCloseable enter(LockService service, String path, LockMode mode, LockCounters stats) {
    stats.observed.increment();
    CuratorFramework client = service.client();
    if (!client.getZookeeperClient().isConnected()) {
      return null;
    }
    Set<LockCounters> open = OPEN.get();
    if (!open.add(stats)) {
      return NESTED; // re-entry: a real lock would not wait for its own thread
    }
    Marker marker = new Marker(client, path, mode, stats, open);
    try {
      client
          .create()
          .creatingParentsIfNeeded()
          .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
          .inBackground((c, event) -> marker.created(event))
          .forPath(
              path + "/" + (mode == LockMode.WRITE ? WRITE : READ),
              service.holderData(Thread.currentThread()));
    } catch (Exception e) {
      open.remove(stats);
      log.debug("observe: creating a marker under {} failed: {}", path, e.toString());
      return null;
    }
    return marker;
  }

  /** The sequence text of a child, and whether it stands for a writer; null for neither family. */
  static String[] sequenceAndKind(String child) {
    LockNodeName.Contender c = LockNodeName.parse(child);
    if (c != null) {
      return new String[] {c.sequence, c.write ? "w" : "r"};
    }
    Matcher m = MARKER.matcher(child);
    if (m.find()) {
      return new String[] {m.group(2), m.group(1).equals(WRITE) ? "w" : "r"};
    }
    return null;
  }

  /** One observed call's marker: created, then deleted when the call ends (in either order). */
  private static final class Marker implements AutoCloseable {
    private final CuratorFramework client;
    private final String path;
    private final LockMode mode;
    private final LockCounters stats;
    private final Set<LockCounters> open; // the creating thread's, where close() runs too
    // null: being created; a full path: created; CLOSED: the call has ended.
    private final AtomicReference<String> state = new AtomicReference<>();

    Marker(
        CuratorFramework client,
        String path,
        LockMode mode,
        LockCounters stats,
        Set<LockCounters> open) {
      this.client = client;
      this.path = path;
      this.mode = mode;
      this.stats = stats;
      this.open = open;
    }

    void created(CuratorEvent event) {
      if (event.getResultCode() != KeeperException.Code.OK.intValue()) {
        log.debug(
            "observe: no marker under {}: {}",
            path,
            KeeperException.Code.get(event.getResultCode()));
        state.set(CLOSED);
        return;
      }
      String node = event.getName();
      if (!state.compareAndSet(null, node)) {
        delete(node); // the call ended first
      }
      count(node.substring(node.lastIndexOf('/') + 1));
    }

    /** Lists the queue and counts the call if an earlier node conflicts with it. */
    private void count(String ours) {
      String[] own = sequenceAndKind(ours);
      try {
        client
            .getChildren()
            .inBackground(
                (c, event) -> {
                  List<String> children = event.getChildren();
                  if (children == null || own == null) {
                    return;
                  }
                  for (String child : children) {
                    String[] other = sequenceAndKind(child);
                    if (other != null
                        && !child.equals(ours)
                        && other[0].compareTo(own[0]) < 0
                        && (mode == LockMode.WRITE || other[1].equals("w"))) {
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

    @Override
    public void close() {
      open.remove(stats);
      String node = state.getAndSet(CLOSED);
      if (node != null && !node.equals(CLOSED)) {
        delete(node);
      }
    }

    private void delete(String node) {
      try {
        // guaranteed: retried in the background if the connection drops; the session's end
        // removes an ephemeral marker anyway.
        client.delete().guaranteed().inBackground().forPath(node);
      } catch (Exception e) {
        log.debug("observe: deleting {} failed: {}", node, e.toString());
      }
    }
  }
}
