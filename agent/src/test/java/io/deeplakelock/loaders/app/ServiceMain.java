package io.deeplakelock.loaders.app;

import com.google.common.collect.ImmutableMap;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.CodeSource;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.RetryNTimes;

/**
 * The loader ITs' "legacy service", run by a launcher inside a class loader of its own, with its
 * own Curator, ZooKeeper, Guava and SnakeYAML. It prints {@code FACT key=value} lines about where
 * its classes came from, uses its own ZooKeeper client, prints {@code READY}, then runs one command
 * per stdin line ({@code append <csv>}, {@code search <text>}, {@code own-zk}) and prints one line
 * for each. Arguments: ZooKeeper connect string, dataset path, marker node, a tag for its own
 * nodes.
 */
public final class ServiceMain {

  private static final String[][] LIBRARIES = {
    {"curator", "org.apache.curator.framework.CuratorFramework"},
    {"curator-recipes", "org.apache.curator.framework.recipes.locks.InterProcessMutex"},
    {"zookeeper", "org.apache.zookeeper.ZooKeeper"},
    {"guava", "com.google.common.collect.ImmutableList"},
    {"snakeyaml", "org.yaml.snakeyaml.Yaml"},
    {"slf4j", "org.slf4j.LoggerFactory"},
  };

  private ServiceMain() {}

  public static void main(String[] args) throws Exception {
    String connect = args[0];
    String dataset = args[1];
    String marker = args[2];
    String tag = args[3];
    ClassLoader loader = ServiceMain.class.getClassLoader();
    fact("java", System.getProperty("java.specification.version"));
    fact("loader", loader == null ? "bootstrap" : loader.getClass().getName());
    fact("app-on-system-loader", visible(ClassLoader.getSystemClassLoader(), VectorStore.class));
    fact(
        "agent-curator-visible",
        visible(loader, "io.deeplakelock.shaded.curator.CuratorZookeeperClient"));
    fact("bridge", bridgeLoader(loader));
    for (String[] library : LIBRARIES) {
      Class<?> type = Class.forName(library[1], false, loader);
      fact("lib." + library[0], source(type));
      fact(
          "lib." + library[0] + ".loader",
          type.getClassLoader() == loader ? "app" : String.valueOf(type.getClassLoader()));
    }
    fact("zookeeper-version", org.apache.zookeeper.Version.getFullVersion());
    // YAML 1.1, unlike the agent's YAML 1.2 engine: "no" is a boolean.
    fact("yaml", yaml(loader).load("flag: no"));

    int failures = 0;
    try (CuratorFramework zk =
        CuratorFrameworkFactory.newClient(connect, 30_000, 10_000, new RetryNTimes(3, 200))) {
      zk.start();
      if (!zk.blockUntilConnected(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the service's own Curator did not connect to " + connect);
      }
      fact("own-zk", ownZooKeeper(zk, loader, tag + "-startup"));
      VectorStore store = new VectorStore(dataset, zk, marker);
      System.out.println("READY");
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] command = line.split(" ", 2);
        try {
          switch (command[0]) {
            case "append":
              System.out.println(store.append(command[1]));
              break;
            case "search":
              System.out.println("SEARCHED " + store.search(command[1]));
              break;
            case "own-zk":
              System.out.println("OWN-ZK " + ownZooKeeper(zk, loader, tag + "-later"));
              break;
            default:
              throw new IllegalArgumentException("unknown command: " + line);
          }
        } catch (Exception | LinkageError e) {
          failures++;
          System.out.println("FAILED " + line + ": " + e);
          e.printStackTrace();
        }
      }
    }
    System.exit(failures == 0 ? 0 : 1);
  }

  /** The lock of the guarded call running on this thread, as the agent's bridge reports it. */
  static String currentLock() {
    try {
      // Reflectively, as the README tells services to: it must run without the agent too.
      Class<?> locks =
          Class.forName(
              "io.deeplakelock.bridge.DatasetLocks", true, ServiceMain.class.getClassLoader());
      Object info = locks.getMethod("current").invoke(null);
      return info == null ? "none" : info.toString();
    } catch (ClassNotFoundException e) {
      return "no-agent";
    } catch (ReflectiveOperationException e) {
      return "error " + e;
    }
  }

  /**
   * Writes a YAML document with its own SnakeYAML to a node of its own, reads it back, takes and
   * releases a lock with its own Curator recipe, and deletes the nodes again.
   */
  private static String ownZooKeeper(CuratorFramework zk, ClassLoader loader, String tag)
      throws Exception {
    String base = "/service-own/" + tag;
    Yaml yaml = yaml(loader);
    Map<String, Object> doc = ImmutableMap.of("service", tag, "rows", Arrays.asList("a", "b"));
    zk.create()
        .creatingParentsIfNeeded()
        .forPath(base + "/config", yaml.dump(doc).getBytes(StandardCharsets.UTF_8));
    Object back =
        yaml.load(new String(zk.getData().forPath(base + "/config"), StandardCharsets.UTF_8));
    if (!doc.equals(back)) {
      throw new IllegalStateException("read back " + back + ", wrote " + doc);
    }
    InterProcessMutex mutex = new InterProcessMutex(zk, base + "/mutex");
    if (!mutex.acquire(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the service's own Curator lock was not granted");
    }
    mutex.release();
    zk.delete().deletingChildrenIfNeeded().forPath(base);
    if (zk.checkExists().forPath(base) != null) {
      throw new IllegalStateException(base + " still exists");
    }
    return "ok " + back;
  }

  /**
   * The service's SnakeYAML 1.x, used reflectively because the build compiles this class without it
   * (the agent module's class path has only the agent's own snakeyaml-engine).
   */
  private static Yaml yaml(ClassLoader loader) throws ReflectiveOperationException {
    return new Yaml(Class.forName("org.yaml.snakeyaml.Yaml", true, loader));
  }

  /** Reflective handle on {@code org.yaml.snakeyaml.Yaml}. */
  private static final class Yaml {
    private final Object yaml;

    Yaml(Class<?> type) throws ReflectiveOperationException {
      this.yaml = type.getConstructor().newInstance();
    }

    String dump(Object doc) throws ReflectiveOperationException {
      return (String) call("dump", Object.class, doc);
    }

    Object load(String text) throws ReflectiveOperationException {
      return call("load", String.class, text);
    }

    private Object call(String name, Class<?> parameter, Object argument)
        throws ReflectiveOperationException {
      return yaml.getClass().getMethod(name, parameter).invoke(yaml, argument);
    }
  }

  private static void fact(String key, Object value) {
    System.out.println("FACT " + key + "=" + value);
  }

  private static String visible(ClassLoader loader, Class<?> type) {
    return visible(loader, type.getName());
  }

  private static String visible(ClassLoader loader, String name) {
    try {
      Class.forName(name, false, loader);
      return "true";
    } catch (ClassNotFoundException e) {
      return "false";
    }
  }

  private static String bridgeLoader(ClassLoader loader) {
    try {
      ClassLoader bridge =
          Class.forName("io.deeplakelock.bridge.DatasetLocks", false, loader).getClassLoader();
      return bridge == null ? "bootstrap" : bridge.toString();
    } catch (ClassNotFoundException e) {
      return "absent";
    }
  }

  /** The jar a class was defined from: its code source, or else where its class file is. */
  private static String source(Class<?> type) {
    CodeSource code = type.getProtectionDomain().getCodeSource();
    if (code != null && code.getLocation() != null) {
      return code.getLocation().toString();
    }
    ClassLoader loader = type.getClassLoader();
    URL file =
        loader == null ? null : loader.getResource(type.getName().replace('.', '/') + ".class");
    return "resource " + file;
  }
}
