package io.deeplakelock.agent;

import io.deeplakelock.lock.BoundedWait;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.dynamic.scaffold.MethodGraph;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.ClientCnxn;
import org.apache.zookeeper.ClientCnxnSocketNIO;
import org.apache.zookeeper.ZooKeeper;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;

/**
 * Loads and initialises, on the daemon thread {@code deeplake-lock-warmup}, the library classes
 * that premain is about to use, while premain's own thread works on something else: the YAML
 * parser's while the bridge is defined, Curator's and ZooKeeper's while the rules are read,
 * ByteBuddy's while the lock service starts. Premain still does all the work itself, in the same
 * order; it only finds the classes ready, so the service's main thread spends less of its own CPU
 * time before {@code main}.
 *
 * <p>Nothing here has an effect outside the class loader: a YAML snippet is parsed, an unstarted
 * Curator client is built and dropped (no thread, no connection), ZooKeeper's client classes are
 * initialised (ZooKeeper reads the client environment, which it logs at INFO), ByteBuddy builds the
 * class of its executing transformer. Premain waits for each step before it uses that library
 * itself, so no class is ever initialised by both threads at once (ByteBuddy's and Curator's static
 * initialisers are not written for that). A failed step only means premain loads the classes
 * itself; each wait is bounded.
 */
final class StartupWarmup implements Runnable {

  private static final long WAIT_SECONDS = 10;

  private final CountDownLatch yaml = new CountDownLatch(1);
  private final CountDownLatch zookeeper = new CountDownLatch(1);
  private final CountDownLatch byteBuddy = new CountDownLatch(1);

  private StartupWarmup() {}

  static StartupWarmup start() {
    StartupWarmup warmup = new StartupWarmup();
    Thread thread = new Thread(warmup, "deeplake-lock-warmup");
    thread.setDaemon(true);
    thread.start();
    return warmup;
  }

  @Override
  public void run() {
    try {
      new Compose(LoadSettings.builder().setLabel("warm-up").build())
          .composeAllFromString(
              "# comment\nzookeeper:\n  connect: \"127.0.0.1:2181\"\n  sessionTimeout: 30s\n"
                  + "rules:\n  - {name: r, class: a.B, methods: [m, 'n*'], lock: write}\n"
                  + "  - name: s\n    dataset: this.path\n")
          .forEach(node -> {});
    } catch (RuntimeException ignored) {
      // premain parses the real file itself
    } finally {
      yaml.countDown();
    }
    try {
      ClassLoader loader = StartupWarmup.class.getClassLoader();
      CuratorFrameworkFactory.builder()
          .connectString("127.0.0.1:1")
          .retryPolicy(new RetryOneTime(1))
          .build(); // never started: no thread, no connection
      for (Class<?> type :
          new Class<?>[] {ZooKeeper.class, ClientCnxn.class, ClientCnxnSocketNIO.class}) {
        Class.forName(type.getName(), true, loader);
      }
    } catch (ReflectiveOperationException | RuntimeException | LinkageError ignored) {
      // premain loads them itself
    } finally {
      zookeeper.countDown();
    }
    try {
      // The class of ByteBuddy's transformer is generated with ByteBuddy when this initialises.
      Class.forName(
          AgentBuilder.Default.class.getName() + "$ExecutingTransformer",
          true,
          StartupWarmup.class.getClassLoader());
      new AgentBuilder.Default(
              new ByteBuddy().with(MethodGraph.Compiler.ForDeclaredMethods.INSTANCE))
          .disableClassFormatChanges()
          .with(AgentBuilder.RedefinitionStrategy.DISABLED)
          .with(AgentBuilder.DescriptionStrategy.Default.POOL_FIRST)
          .with(new TypePoolCache());
    } catch (ReflectiveOperationException | RuntimeException | LinkageError ignored) {
      // premain loads them itself
    } finally {
      byteBuddy.countDown();
    }
  }

  /** Returns once the YAML parser's classes are ready (or the warm-up gave up on them). */
  void awaitYaml() {
    await(yaml);
  }

  /** Returns once Curator's and ZooKeeper's client classes are ready. */
  void awaitZooKeeper() {
    await(zookeeper);
  }

  /** Returns once ByteBuddy's agent builder classes are ready. */
  void awaitByteBuddy() {
    await(byteBuddy);
  }

  private static void await(CountDownLatch step) {
    BoundedWait.await(step, TimeUnit.SECONDS.toNanos(WAIT_SECONDS));
  }
}
