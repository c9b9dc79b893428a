package io.deeplakelock.testapp.faults;

import io.deeplakelock.testapp.service.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.InstanceSpec;

/**
 * Injects a trial's faults one at a time, each while some child is inside the critical section
 * (found through the witness file), and waits for the workload to recover before the next.
 *
 * <p>Every random choice (which phase of an entry to hit) comes from the trial's seeded generator;
 * every fault is appended to the trial's {@code faults.jsonl}.
 */
final class FaultInjector {
  private static final Duration HOLDER_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(120);
  private static final String[] MID_ENTRY_PHASES = {"read", "appended"};

  private final Trial trial;
  private final Set<String> targeted = new HashSet<>();

  FaultInjector(Trial trial) {
    this.trial = trial;
  }

  /** A child inside the critical section, as the witness file shows it. */
  private static final class Holder {
    final Trial.Child child;
    final String op;
    final String phase;

    Holder(Trial.Child child, String op, String phase) {
      this.child = child;
      this.op = op;
      this.phase = phase;
    }
  }

  FaultRecord inject(int index) throws Exception {
    Duration session = SuiteSettings.SESSION_TIMEOUT;
    FaultRecord fault;
    switch (trial.spec.kind) {
      case LEADER_KILL:
        {
          Holder holder = awaitHolder(null);
          InstanceSpec leader = trial.cluster.awaitLeader(Duration.ofSeconds(30));
          long start = OpLog.nowMicros();
          trial.cluster.kill(leader);
          // The two survivors elect a leader and the workload goes on; then the third comes back.
          awaitRecovery(start);
          trial.cluster.restart(leader);
          trial.cluster.awaitServing(leader, Duration.ofSeconds(60));
          fault = record(index, holder, "server " + leader.getServerId(), start, OpLog.nowMicros());
          break;
        }
      case CLIENT_EXPIRY:
        {
          Holder holder = awaitHolder("read");
          long logOffset = Files.size(holder.child.log);
          long start = OpLog.nowMicros();
          holder.child.proxy.holdReplies();
          try {
            // The agent logs the LOST state; its client then has a new session waiting to connect.
            Waits.until(
                holder.child.id + " to see its session expire",
                session.multipliedBy(4).plusSeconds(10),
                () -> logContains(holder.child.log, logOffset, "ZooKeeper session lost"));
          } finally {
            holder.child.proxy.releaseReplies();
          }
          fault = record(index, holder, "replies to pid " + holder.child.pid(), start, -1);
          break;
        }
      case SERVER_EXPIRY:
        {
          Holder holder = awaitHolder(pick(MID_ENTRY_PHASES));
          String sessionId = Histories.sessionOf(trial.dir, holder.op);
          if (sessionId == null) {
            throw new AssertionError(holder.op + " has no session in its enter record");
          }
          long start = OpLog.nowMicros();
          if (!trial.cluster.terminateSession(
              Long.parseUnsignedLong(sessionId.substring(2), 16), Duration.ofSeconds(10))) {
            throw new AssertionError("no server has a connection of session " + sessionId);
          }
          fault = record(index, holder, "session " + sessionId, start, -1);
          break;
        }
      case SIGKILL:
        {
          Holder holder = awaitHolder(pick(MID_ENTRY_PHASES));
          long start = OpLog.nowMicros();
          holder.child.killed = true;
          holder.child.jvm.process().destroyForcibly();
          if (!holder.child.jvm.process().waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError(holder.child.id + " survived SIGKILL");
          }
          fault = record(index, holder, "pid " + holder.child.pid(), start, -1);
          // Keep four writers contending: a later kill must not find an empty field.
          trial.replaceKilledChild();
          break;
        }
      case SIGSTOP_SHORT:
      case SIGSTOP_LONG:
        {
          Duration length =
              trial.spec.kind == FaultKind.SIGSTOP_SHORT
                  ? session.dividedBy(2)
                  : session.multipliedBy(2);
          Holder holder = awaitHolder(pick(MID_ENTRY_PHASES));
          long start = OpLog.nowMicros();
          holder.child.stopped = true;
          signal(holder.child.pid(), "STOP");
          try {
            Waits.holdFaultFor(length);
          } finally {
            signal(holder.child.pid(), "CONT");
            holder.child.stopped = false;
          }
          fault =
              record(
                  index,
                  holder,
                  "pid " + holder.child.pid() + " for " + length.toMillis() + " ms",
                  start,
                  -1);
          break;
        }
      case PARTITION:
        {
          Duration length = session.multipliedBy(5);
          Holder holder = awaitHolder("read");
          long start = OpLog.nowMicros();
          holder.child.proxy.partition();
          try {
            Waits.holdFaultFor(length);
          } finally {
            holder.child.proxy.releaseReplies();
          }
          fault =
              record(
                  index,
                  holder,
                  "pid " + holder.child.pid() + " for " + length.toMillis() + " ms",
                  start,
                  -1);
          break;
        }
      default:
        throw new IllegalArgumentException("no fault to inject for " + trial.spec.kind);
    }
    awaitRecovery(fault.endMicros);
    return fault;
  }

  /** Waits until the witness shows a child, not hit before, inside an entry at {@code phase}. */
  private Holder awaitHolder(String phase) {
    Holder[] found = new Holder[1];
    Waits.until(
        "a holder at phase " + (phase == null ? "any" : phase),
        HOLDER_TIMEOUT,
        () -> {
          found[0] = holder(phase);
          return found[0] != null;
        });
    targeted.add(found[0].op);
    return found[0];
  }

  private Holder holder(String phase) throws IOException {
    String content;
    try {
      content = new String(Files.readAllBytes(trial.witness()), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return null;
    }
    String[] lines = content.split("\n");
    String[] owner = lines[0].split(" ");
    if (owner.length != 2 || targeted.contains(owner[1]) || !content.endsWith("\n")) {
      return null;
    }
    String last = lines.length > 1 ? lines[lines.length - 1] : "phase entered";
    String reached = last.startsWith("phase ") ? last.substring("phase ".length()) : "entered";
    if (phase != null && !phase.equals(reached)) {
      return null;
    }
    for (Trial.Child child : trial.children) {
      if (child.id.equals(owner[0]) && !child.killed && child.jvm.process().isAlive()) {
        return new Holder(child, owner[1], reached);
      }
    }
    return null;
  }

  private String pick(String[] choices) {
    return choices[trial.random.nextInt(choices.length)];
  }

  /** Waits until an entry that began after {@code micros} has completed: the service is back. */
  private void awaitRecovery(long micros) {
    Waits.until(
        "an entry after the fault to complete",
        RECOVERY_TIMEOUT,
        () -> Histories.okEnteredAfter(trial.dir, micros));
  }

  private FaultRecord record(int index, Holder holder, String target, long start, long end)
      throws IOException {
    FaultRecord fault =
        new FaultRecord(
            index,
            trial.spec.kind,
            holder.child.id,
            holder.op,
            holder.phase,
            target,
            start,
            end < 0 ? OpLog.nowMicros() : end);
    Files.write(
        trial.dir.resolve("faults.jsonl"),
        (Json.write(fault.toJson()) + "\n").getBytes(StandardCharsets.UTF_8),
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    return fault;
  }

  private static boolean logContains(Path log, long offset, String text) throws IOException {
    byte[] bytes = Files.readAllBytes(log);
    return offset < bytes.length
        && new String(bytes, (int) offset, bytes.length - (int) offset, StandardCharsets.UTF_8)
            .contains(text);
  }

  /** Sends {@code kill -SIGNAL pid}. */
  static void signal(long pid, String signal) throws InterruptedException {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new AssertionError("kill -" + signal + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new AssertionError("cannot run kill -" + signal + " " + pid, e);
    }
  }
}
