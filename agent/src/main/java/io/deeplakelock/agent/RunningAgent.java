package io.deeplakelock.agent;

import io.deeplakelock.lock.LockService;
import io.deeplakelock.rules.AgentConfig;
import io.deeplakelock.rules.Rule;
import io.deeplakelock.rules.RuleFile;
import io.deeplakelock.rules.RuleFileException;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent running in this JVM: what {@code reload} swaps and what {@code detach} takes back out
 * (the advice, by resetting the transformer; the lock handler; the ZooKeeper session; threads).
 */
final class RunningAgent {

  private static final Logger log = LoggerFactory.getLogger(RunningAgent.class);
  private static RunningAgent current; // guarded by RunningAgent.class

  private final Instrumentation inst;
  private final Path rulesFile;
  private final AgentConfig startConfig; // its zookeeper and locks settings stay until restart
  private final Conflicts conflicts;
  private final LockService service;
  private final ScheduledExecutorService watch;
  private final Thread shutdownHook;
  private volatile GuardTransformer transformer;
  private volatile ResettableClassFileTransformer installed;
  private volatile Thread fileWatcher;

  RunningAgent(
      Instrumentation inst,
      Path rulesFile,
      AgentConfig config,
      Conflicts conflicts,
      GuardTransformer transformer,
      ResettableClassFileTransformer installed,
      LockService service,
      ScheduledExecutorService watch,
      Thread shutdownHook) {
    this.inst = inst;
    this.rulesFile = rulesFile;
    this.startConfig = config;
    this.conflicts = conflicts;
    this.transformer = transformer;
    this.installed = installed;
    this.service = service;
    this.watch = watch;
    this.shutdownHook = shutdownHook;
  }

  static synchronized RunningAgent current() {
    return current;
  }

  static synchronized void register(RunningAgent agent) {
    current = agent;
  }

  AgentConfig config() {
    return startConfig;
  }

  Path rulesFile() {
    return rulesFile;
  }

  LockService service() {
    return service;
  }

  GuardTransformer transformer() {
    return transformer;
  }

  /**
   * Reads the rules file again and, if it is valid, swaps the rules in force. The new rules are
   * woven by retransformation while the old transformer contributes nothing, so each class goes
   * from old advice to new in one step; calls in flight finish under the locks they took. An
   * invalid file leaves the old rules in force.
   *
   * @return true when the new rules are in force
   */
  synchronized boolean reload() {
    return reloadReport().get(0).equals(RELOADED);
  }

  /** The first line of {@link #reloadReport} when the new rules are in force. */
  static final String RELOADED = "reloaded";

  /** The first line of {@link #reloadReport} when the file is invalid and the old rules stay. */
  static final String INVALID = "invalid";

  /**
   * Re-reads the rules file and applies it, for {@code reload <pid>} and the file watcher.
   *
   * @return {@link #RELOADED} or {@link #INVALID}, then one line per problem ({@code file:line:col:
   *     message}) or per setting that changed but needs a restart
   */
  synchronized List<String> reloadReport() {
    List<String> report = new ArrayList<>();
    AgentConfig next;
    try {
      next = RuleFile.load(rulesFile);
    } catch (RuleFileException e) {
      // One line: the service's log is read line by line (and by tools that split on lines).
      log.error(
          "rules file {} is invalid; the rules in force stay: {}",
          rulesFile,
          String.join("; ", e.problems()));
      report.add(INVALID);
      report.addAll(e.problems());
      return report;
    }
    List<String> needRestart = settingsNeedingRestart(startConfig, next);
    for (String change : needRestart) {
      log.warn("rules file {}: {}", rulesFile, change);
    }
    List<Rule> rules = GuardedCalls.installed().adopt(next.rules());
    GuardTransformer nextTransformer = new GuardTransformer(rules, conflicts);
    GuardTransformer previous = transformer;
    ResettableClassFileTransformer previousInstalled = installed;
    previous.supersede();
    installed = AgentStartup.weave(inst, nextTransformer, true);
    transformer = nextTransformer;
    previousInstalled.reset(inst, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
    String done = "reloaded " + rules.size() + " rule(s) from " + rulesFile;
    System.err.println("deeplake-lock: " + done);
    report.add(RELOADED);
    report.add(done);
    report.addAll(needRestart);
    return report;
  }

  /** The zookeeper and locks settings that differ, each as a line that says a restart is due. */
  private static List<String> settingsNeedingRestart(AgentConfig a, AgentConfig b) {
    List<String> out = new ArrayList<>();
    restart(out, "zookeeper.connect", a.connect(), b.connect());
    restart(
        out,
        "zookeeper.sessionTimeout",
        a.sessionTimeoutMillis() + "ms",
        b.sessionTimeoutMillis() + "ms");
    restart(
        out,
        "zookeeper.connectionTimeout",
        a.connectionTimeoutMillis() + "ms",
        b.connectionTimeoutMillis() + "ms");
    restart(
        out, "zookeeper.namespace", String.valueOf(a.namespace()), String.valueOf(b.namespace()));
    restart(out, "zookeeper auth, acl or tls", a.security().describe(), b.security().describe());
    restart(out, "locks.root", a.root(), b.root());
    restart(out, "locks.protocol", a.protocol().name(), b.protocol().name());
    return out;
  }

  private static void restart(List<String> out, String key, String before, String after) {
    if (!before.equals(after)) {
      out.add(
          key
              + " changed ("
              + before
              + " -> "
              + after
              + "): it takes effect only after a restart; the new rules use the old value");
    }
  }

  /** Reloads whenever the rules file is written or replaced (editors often replace it). */
  void watchRulesFile() {
    Thread watcher =
        new Thread(
            () -> {
              try (WatchService service = FileSystems.getDefault().newWatchService()) {
                Path dir = rulesFile.getParent();
                dir.register(
                    service,
                    StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_CREATE);
                while (!Thread.currentThread().isInterrupted()) {
                  WatchKey key = service.take();
                  boolean ours = false;
                  for (WatchEvent<?> event : key.pollEvents()) {
                    ours |= rulesFile.getFileName().equals(event.context());
                  }
                  key.reset();
                  if (ours) {
                    // An editor's save can be several events; let them settle, then read once.
                    Thread.sleep(200);
                    WatchKey more = service.poll();
                    if (more != null) {
                      more.pollEvents();
                      more.reset();
                    }
                    reload();
                  }
                }
              } catch (InterruptedException | java.nio.file.ClosedWatchServiceException e) {
                Thread.currentThread().interrupt();
              } catch (IOException | RuntimeException e) {
                log.warn("watching {} for changes stopped: {}", rulesFile, e.toString());
              }
            },
            "deeplake-lock-reload");
    watcher.setDaemon(true);
    watcher.start();
    fileWatcher = watcher;
  }

  /**
   * Removes every piece of advice, then, once no guarded call is in flight (each finishes under the
   * lock it took), uninstalls the handler and closes the ZooKeeper session. Waits up to {@code
   * waitMillis} for calls in flight; after that the session is closed in the background as soon as
   * the last one ends, never earlier.
   *
   * @return true when the agent is fully gone on return
   */
  static boolean detach(long waitMillis) throws InterruptedException {
    RunningAgent agent;
    synchronized (RunningAgent.class) {
      agent = current;
      current = null;
    }
    if (agent == null) {
      throw new IllegalStateException("deeplake-lock is not running in this JVM");
    }
    synchronized (agent) {
      Thread watcher = agent.fileWatcher;
      if (watcher != null) {
        watcher.interrupt();
      }
      agent.installed.reset(agent.inst, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
    }
    agent.watch.shutdownNow();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
    while (agent.service.callsInFlight() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10); // calls in flight end on their own; nothing to be notified by
    }
    if (agent.service.callsInFlight() == 0) {
      agent.finish();
      return true;
    }
    log.warn(
        "detach: advice removed; {} guarded call(s) still in flight keep their locks, the"
            + " ZooKeeper session closes when the last one ends",
        agent.service.callsInFlight());
    Thread finisher =
        new Thread(
            () -> {
              try {
                while (agent.service.callsInFlight() > 0) {
                  Thread.sleep(50);
                }
                agent.finish();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "deeplake-lock-detach");
    finisher.setDaemon(true);
    finisher.start();
    return false;
  }

  private void finish() {
    StatusBeanRegistration.disarm();
    AgentStatus.unregister();
    GuardedCalls.uninstall();
    io.deeplakelock.bridge.AuditBridge.install(null); // woven file advice does nothing from now
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway and closes the session
    }
    service.close();
    System.err.println("deeplake-lock: detached; advice removed and ZooKeeper session closed");
  }
}
