package io.deeplakelock.agent;

import io.deeplakelock.lock.LockService;
import java.lang.instrument.Instrumentation;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent running in this JVM, kept so that {@code detach} can take everything back out: the
 * advice (by resetting the transformer), the lock handler, the ZooKeeper session, the threads.
 */
final class RunningAgent {

  private static final Logger log = LoggerFactory.getLogger(RunningAgent.class);
  private static RunningAgent current; // guarded by RunningAgent.class

  private final Instrumentation inst;
  private final ResettableClassFileTransformer transformer;
  private final LockService service;
  private final ScheduledExecutorService watch;
  private final Thread shutdownHook;

  RunningAgent(
      Instrumentation inst,
      ResettableClassFileTransformer transformer,
      LockService service,
      ScheduledExecutorService watch,
      Thread shutdownHook) {
    this.inst = inst;
    this.transformer = transformer;
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
    agent.transformer.reset(agent.inst, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
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
    AgentStatus.unregister();
    GuardedCalls.uninstall();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway and closes the session
    }
    service.close();
    System.err.println("deeplake-lock: detached; advice removed and ZooKeeper session closed");
  }
}
