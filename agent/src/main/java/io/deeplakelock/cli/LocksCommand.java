package io.deeplakelock.cli;

import io.deeplakelock.lock.ClientSecurity;
import io.deeplakelock.lock.LockPath;
import io.deeplakelock.lock.LockQueueView;
import io.deeplakelock.rules.AgentConfig;
import java.io.PrintStream;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.KeeperException;

/**
 * {@code locks --zk CONNECT [PATH]} or {@code locks --config FILE [PATH]}: the lock queues under a
 * root (default {@code /deeplake}, or the rules file's), or of one lock path: holders and waiters
 * in order, from deeplake-lock, kazoo and Curator alike. With {@code --config} it connects the way
 * the agent does (namespace, authentication, TLS), so it can read a protected lock root.
 */
final class LocksCommand extends Command {

  static final String USAGE =
      "usage: java -jar deeplake-lock.jar locks (--zk CONNECT | --config FILE) [PATH]\n"
          + "\n"
          + "Lists the lock queues under PATH (default /deeplake): for each lock path, its\n"
          + "contenders in queue order, who HOLDS the lock and who waits, with their session,\n"
          + "fencing token (czxid) and holder description. Takes no lock and changes nothing.\n"
          + "PATH may be a root (its children are lock paths) or one lock path.\n"
          + "--config FILE connects as the agent with that rules file does: its zookeeper\n"
          + "section (connect, namespace, auth, tls) and its locks.root as the default PATH;\n"
          + "--zk then overrides only the connect string. For SASL, start this JVM with\n"
          + "-Djava.security.auth.login.config=JAAS_FILE, as the service is.\n"
          + "Exit status: 0 listed, 1 ZooKeeper unreachable or access refused, 2 invalid rules\n"
          + "file, 64 usage error.\n";

  LocksCommand() {
    super(
        "locks",
        "locks --zk CONNECT [PATH]",
        "list lock holders and waiters under PATH (/deeplake)",
        CommandLine.options(CommandLine.Operand.PATH, "--zk", "--config"),
        USAGE);
  }

  @Override
  int run(CommandLine.Arguments args, PrintStream out, PrintStream err)
      throws CommandLine.UsageException {
    String connect = args.value("--zk");
    String configFile = args.value("--config");
    String path = args.operand();
    if (path != null && path.length() > 1 && path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    AgentConfig config = null;
    if (configFile != null) {
      config = RulesArgument.load(Paths.get(configFile), err);
      if (config == null) {
        return Main.INVALID;
      }
      connect = connect != null ? connect : config.connect();
      path = path != null ? path : config.root();
    }
    if (connect == null) {
      throw new CommandLine.UsageException(null);
    }
    path = path != null ? path : "/deeplake";
    CuratorFrameworkFactory.Builder builder =
        CuratorFrameworkFactory.builder()
            .connectString(connect)
            .sessionTimeoutMs(10_000)
            .connectionTimeoutMs(5_000)
            .retryPolicy(new RetryOneTime(200));
    if (config != null) {
      if (config.namespace() != null) {
        builder.namespace(config.namespace());
      }
      ClientSecurity.apply(config.security(), builder);
    }
    try (CuratorFramework client = builder.build()) {
      client.start();
      if (!client.blockUntilConnected(10, TimeUnit.SECONDS)) {
        err.println(
            "deeplake-lock locks: ZooKeeper at "
                + connect
                + " is not reachable"
                + (config != null && config.security().tls() != null ? " over TLS" : ""));
        return Main.PROBLEMS;
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
    } catch (KeeperException.NoAuthException e) {
      err.println(
          "deeplake-lock locks: ZooKeeper refused to show "
              + e.getPath()
              + " (NoAuth)"
              + (config == null
                  ? ": pass --config with the service's rules file to authenticate as the agent"
                  : ": the identity of "
                      + configFile
                      + " ("
                      + config.security().describe()
                      + ") may not read it"));
      return Main.PROBLEMS;
    } catch (Exception e) {
      err.println("deeplake-lock locks: " + e);
      return Main.PROBLEMS;
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
