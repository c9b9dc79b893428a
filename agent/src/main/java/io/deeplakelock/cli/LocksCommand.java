package io.deeplakelock.cli;

import io.deeplakelock.lock.LockPath;
import io.deeplakelock.lock.LockQueueView;
import java.io.PrintStream;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.KeeperException;

/**
 * {@code locks --zk CONNECT [PATH]}: the lock queues under a root (default {@code /deeplake}), or
 * of one lock path: holders and waiters in order, from deeplake-lock, kazoo and Curator alike.
 */
final class LocksCommand {

  static final String USAGE =
      "usage: java -jar deeplake-lock.jar locks --zk CONNECT [PATH]\n"
          + "\n"
          + "Lists the lock queues under PATH (default /deeplake): for each lock path, its\n"
          + "contenders in queue order, who HOLDS the lock and who waits, with their session,\n"
          + "fencing token (czxid) and holder description. Takes no lock and changes nothing.\n"
          + "PATH may be a root (its children are lock paths) or one lock path.\n"
          + "Exit status: 0 listed, 2 usage error or ZooKeeper unreachable.\n";

  private LocksCommand() {}

  static int run(String[] args, PrintStream out, PrintStream err) {
    String connect = null;
    String path = "/deeplake";
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--help")) {
        out.print(USAGE);
        return Main.OK;
      } else if (args[i].equals("--zk") && i + 1 < args.length) {
        connect = args[++i];
      } else if (args[i].startsWith("/")) {
        path =
            args[i].length() > 1 && args[i].endsWith("/")
                ? args[i].substring(0, args[i].length() - 1)
                : args[i];
      } else {
        err.println("deeplake-lock locks: unexpected argument '" + args[i] + "'");
        err.print(USAGE);
        return Main.USAGE_OR_INVALID;
      }
    }
    if (connect == null) {
      err.print(USAGE);
      return Main.USAGE_OR_INVALID;
    }
    try (CuratorFramework client =
        CuratorFrameworkFactory.newClient(connect, 10_000, 5_000, new RetryOneTime(200))) {
      client.start();
      if (!client.blockUntilConnected(10, TimeUnit.SECONDS)) {
        err.println("deeplake-lock locks: ZooKeeper at " + connect + " is not reachable");
        return Main.USAGE_OR_INVALID;
      }
      List<LockQueueView.Entry> own = LockQueueView.of(client, path);
      if (!own.isEmpty()) {
        print(out, path, own);
        return Main.OK;
      }
      List<String> children;
      try {
        children = client.getChildren().forPath(path);
      } catch (KeeperException.NoNodeException e) {
        out.println(path + ": no such znode (no lock was ever taken under it)");
        return Main.OK;
      }
      Collections.sort(children);
      int shown = 0;
      for (String child : children) {
        List<LockQueueView.Entry> queue = LockQueueView.of(client, path + "/" + child);
        if (!queue.isEmpty()) {
          print(out, path + "/" + child, queue);
          shown++;
        }
      }
      out.println(
          shown
              + " lock(s) held or awaited under "
              + path
              + " ("
              + children.size()
              + " lock paths)");
      return Main.OK;
    } catch (Exception e) {
      err.println("deeplake-lock locks: " + e);
      return Main.USAGE_OR_INVALID;
    }
  }

  private static void print(PrintStream out, String lockPath, List<LockQueueView.Entry> queue) {
    String name = lockPath.substring(lockPath.lastIndexOf('/') + 1);
    String dataset;
    try {
      dataset = LockPath.decode(name);
    } catch (IllegalArgumentException e) {
      dataset = null;
    }
    out.println(
        lockPath + (dataset != null && !dataset.equals(name) ? "  (dataset " + dataset + ")" : ""));
    int position = 0;
    for (LockQueueView.Entry e : queue) {
      out.println(
          String.format(
              "  %-5s %2d %-5s %-13s session 0x%x token %d  %s  %s",
              e.holds ? "HOLDS" : "waits",
              position++,
              e.write ? "write" : "read",
              e.family,
              e.sessionId,
              e.czxid,
              e.node,
              e.holder));
    }
  }
}
