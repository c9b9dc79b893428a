package io.deeplakelock.bench;

import io.deeplakelock.lock.DatasetLock;
import io.deeplakelock.lock.LockPath;
import io.deeplakelock.lock.LockService;
import io.deeplakelock.rules.AgentConfig;
import io.deeplakelock.rules.Rule;
import io.deeplakelock.rules.RuleFile;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;

/**
 * One benchmark trial's ZooKeeper (curator-test's {@link TestingServer}, loopback) and the agent's
 * {@link LockService} connected to it, configured from a rules file like the agent's own.
 */
public final class BenchZooKeeper implements AutoCloseable {

  /** The lock root of the benchmark configuration. */
  public static final String ROOT = "/deeplake";

  /** Datasets are absolute paths, so the working directory never matters. */
  public static final Path WORKING_DIRECTORY = Paths.get("/");

  private static final long WAIT_SECONDS = 30;

  private final TestingServer server;
  private final AgentConfig config;
  private final LockService service;
  private final List<Holder> holders = new ArrayList<>();

  private BenchZooKeeper(TestingServer server, AgentConfig config, LockService service) {
    this.server = server;
    this.config = config;
    this.service = service;
  }

  /**
   * Starts ZooKeeper and a connected lock service.
   *
   * @param rules the items of the rules file's {@code rules:} list, indented by two spaces
   * @param locks extra keys of the {@code locks:} section (e.g. {@code " linger: 20ms\n"}), or ""
   */
  public static BenchZooKeeper start(String rules, String locks) throws Exception {
    TestingServer server = new TestingServer();
    try {
      String yaml =
          "zookeeper:\n"
              + "  connect: \""
              + server.getConnectString()
              + "\"\n"
              + "  sessionTimeout: 30s\n"
              + "  connectionTimeout: 10s\n"
              + "locks:\n"
              + "  root: "
              + ROOT
              + "\n"
              + "  timeout: 5s\n"
              + locks
              + "rules:\n"
              + rules;
      AgentConfig config = RuleFile.parse("bench-fastpath.yaml", yaml, name -> null);
      LockService service = LockService.start(config);
      if (!service.client().blockUntilConnected((int) WAIT_SECONDS, TimeUnit.SECONDS)) {
        service.close();
        throw new IllegalStateException("no ZooKeeper connection to " + server.getConnectString());
      }
      return new BenchZooKeeper(server, config, service);
    } catch (Exception | Error e) {
      server.close();
      throw e;
    }
  }

  public AgentConfig config() {
    return config;
  }

  public LockService service() {
    return service;
  }

  /** The rule named {@code name}. */
  public Rule rule(String name) {
    for (Rule rule : config.rules()) {
      if (rule.name().equals(name)) {
        return rule;
      }
    }
    throw new IllegalArgumentException("no rule " + name);
  }

  /** The JVM's one lock object for {@code dataset}: the one a guarded call on it uses. */
  public DatasetLock lock(String dataset) {
    return service.lock(LockPath.forDataset(config.root(), dataset, WORKING_DIRECTORY));
  }

  /**
   * Starts a thread that runs {@code take} (a guarded call's enter) and keeps what it returned open
   * until {@link #close}; returns once the thread holds it.
   */
  public void holdInBackground(String name, Callable<AutoCloseable> take) throws Exception {
    Holder holder = new Holder(name, take);
    holders.add(holder);
    holder.start();
    if (!holder.acquired.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name + " did not get its lock");
    }
    if (holder.failure != null) {
      throw new IllegalStateException(name + " failed to take its lock", holder.failure);
    }
  }

  /** Releases the background holds, ends the lock service's session, stops ZooKeeper. */
  @Override
  public void close() throws IOException {
    try {
      for (Holder h : holders) {
        h.release.countDown();
        try {
          h.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        if (h.failure != null) {
          System.err.println("[bench] " + h.getName() + ": " + h.failure);
        }
      }
      service.close();
    } finally {
      server.close();
    }
  }

  /** A thread that stands for a guarded call that runs for the whole trial. */
  private static final class Holder extends Thread {
    final Callable<AutoCloseable> take;
    final CountDownLatch acquired = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    volatile Exception failure;

    Holder(String name, Callable<AutoCloseable> take) {
      super(name);
      this.take = take;
      setDaemon(true);
    }

    @Override
    public void run() {
      AutoCloseable held;
      try {
        held = take.call();
        if (held == null) {
          throw new IllegalStateException("the call took no lock (it would have run unlocked)");
        }
      } catch (Exception e) {
        failure = e;
        acquired.countDown();
        return;
      }
      acquired.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      try {
        held.close();
      } catch (Exception e) {
        failure = e;
      }
    }
  }
}
