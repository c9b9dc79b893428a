package io.deeplakelock.lock;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * A read-only snapshot of one lock path's queue, as every client family sees it: who holds the lock
 * and who waits, in order. For operators' troubleshooting; takes no lock.
 */
public final class LockQueueView {

  /** One contender in queue order. */
  public static final class Entry {
    public final String node;
    public final boolean write;
    public final boolean holds;
    public final String family;
    public final long sessionId;
    public final long czxid;
    public final String holder;

    Entry(
        String node,
        boolean write,
        boolean holds,
        String family,
        long sessionId,
        long czxid,
        String holder) {
      this.node = node;
      this.write = write;
      this.holds = holds;
      this.family = family;
      this.sessionId = sessionId;
      this.czxid = czxid;
      this.holder = holder;
    }
  }

  private LockQueueView() {}

  /** The contenders under {@code path} in queue order; empty when there are none. */
  public static List<Entry> of(CuratorFramework client, String path) throws Exception {
    List<String> children;
    try {
      children = client.getChildren().forPath(path);
    } catch (KeeperException.NoNodeException e) {
      return Collections.emptyList();
    }
    List<LockNodeName.Contender> queue = new ArrayList<>();
    for (String child : children) {
      LockNodeName.Contender c = LockNodeName.parse(child);
      if (c != null) {
        queue.add(c);
      }
    }
    Collections.sort(queue);
    List<Entry> out = new ArrayList<>();
    boolean writerSeen = false;
    for (int i = 0; i < queue.size(); i++) {
      LockNodeName.Contender c = queue.get(i);
      boolean holds = c.write ? i == 0 : !writerSeen;
      writerSeen |= c.write;
      Stat stat = new Stat();
      String holder = "";
      try {
        byte[] data = client.getData().storingStatIn(stat).forPath(path + "/" + c.name);
        holder = data == null ? "" : new String(data, StandardCharsets.UTF_8);
      } catch (KeeperException.NoNodeException e) {
        continue; // released while we looked
      }
      String family =
          c.name.contains("deeplake-lock") || holder.startsWith("deeplake-lock")
              ? "deeplake-lock"
              : c.kazooFamily ? "kazoo" : "curator";
      out.add(
          new Entry(
              c.name, c.write, holds, family, stat.getEphemeralOwner(), stat.getCzxid(), holder));
    }
    return out;
  }
}
