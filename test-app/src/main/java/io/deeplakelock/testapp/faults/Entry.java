package io.deeplakelock.testapp.faults;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One ledger entry as it happens, and what the history records of it: an {@code enter} line as soon
 * as the critical section starts (so a process killed inside it still leaves that behind), then a
 * {@code complete} line with the outcome.
 *
 * <p>Outcomes follow what the caller can know. {@code ok}: the entry's effects happened (also when
 * the agent then reported its lock lost). {@code fail}: nothing of it was written (the lock was
 * never granted, or the body was refused or failed before its first write). {@code info}: it failed
 * part-way, so its row may or may not be there.
 */
public final class Entry {
  private static final String LOCK_LOST = "io.deeplakelock.bridge.LockLostException";
  private static final int MAX_ERROR_LENGTH = 300;

  private final String id;
  private final String child;
  private final OpLog log;
  private String phase = "invoked";
  private long token;
  private Long sessionId;
  private Long enterMicros;
  private Long exitMicros;
  private Long read;
  private Long row;
  private Long wrote;
  private Long readMicros;
  private long writeStartMicros;
  private Long appendMicros;
  private Long updateMicros;

  Entry(String id, String child, OpLog log) {
    this.id = id;
    this.child = child;
    this.log = log;
  }

  String id() {
    return id;
  }

  /** The witness owner line: {@code CHILD OP}. */
  String owner() {
    return child + " " + id;
  }

  /** The lock's fencing token, 0 without the agent. */
  long token() {
    return token;
  }

  void invoked() {
    Map<String, Object> record = record("invoke", OpLog.nowMicros());
    log.write(record);
  }

  /** The critical section began; {@code collision} is the owner of a witness found there. */
  void entered(String collision) {
    enterMicros = OpLog.nowMicros();
    phase = "entered";
    LockProbe.Lock lock = LockProbe.current();
    if (lock != null) {
      token = lock.token;
      sessionId = lock.sessionId;
    }
    Map<String, Object> record = record("enter", enterMicros);
    record.put("token", token);
    record.put("session", session());
    record.put("collision", collision);
    log.write(record);
  }

  void read(long value) {
    read = value;
    readMicros = OpLog.nowMicros();
    phase = "read";
  }

  void appending() {
    writeStartMicros = OpLog.nowMicros();
    phase = "appending";
  }

  void appended(long index) {
    row = index;
    appendMicros = writeStartMicros;
    phase = "appended";
  }

  void updating() {
    writeStartMicros = OpLog.nowMicros();
    phase = "updating";
  }

  void updated(long value) {
    wrote = value;
    updateMicros = writeStartMicros;
    phase = "updated";
  }

  void exited() {
    exitMicros = OpLog.nowMicros();
  }

  /** Writes the {@code complete} line for an entry that returned or threw {@code failure}. */
  void completed(Throwable failure) {
    Map<String, Object> record = record("complete", OpLog.nowMicros());
    boolean bodyDone = failure == null || failure.getClass().getName().equals(LOCK_LOST);
    String outcome;
    if (bodyDone) {
      outcome = "ok";
    } else if (phase.equals("invoked")
        || phase.equals("entered")
        || phase.equals("read")
        || (phase.equals("appending") && refusedBeforeWriting(failure))) {
      outcome = "fail";
    } else {
      outcome = "info";
    }
    record.put("outcome", outcome);
    record.put("lockLost", failure != null && lockLost(failure));
    record.put("error", failure == null ? null : describe(failure));
    record.put("phase", phase);
    record.put("token", token);
    record.put("session", session());
    record.put("enter", enterMicros);
    record.put("exit", exitMicros);
    record.put("read", read);
    record.put("row", row);
    record.put("wrote", wrote);
    // When the read returned and when each write that landed began, for the stale-write check.
    record.put("readAt", readMicros);
    record.put("appendAt", appendMicros);
    record.put("updateAt", updateMicros);
    log.write(record);
  }

  private Map<String, Object> record(String type, long micros) {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("type", type);
    record.put("op", id);
    record.put("child", child);
    record.put("t", micros);
    return record;
  }

  private String session() {
    return sessionId == null ? null : "0x" + Long.toHexString(sessionId);
  }

  /** Append refuses a stale writer, and reads what it rewrites, before it writes anything. */
  private static boolean refusedBeforeWriting(Throwable failure) {
    String name = failure.getClass().getSimpleName();
    return name.equals("StaleWriterException") || name.equals("CorruptDatasetException");
  }

  private static boolean lockLost(Throwable failure) {
    if (failure.getClass().getName().equals(LOCK_LOST)) {
      return true;
    }
    for (Throwable suppressed : failure.getSuppressed()) {
      if (suppressed.getClass().getName().equals(LOCK_LOST)) {
        return true;
      }
    }
    return false;
  }

  private static String describe(Throwable failure) {
    String text = failure.getClass().getSimpleName() + ": " + failure.getMessage();
    return text.length() <= MAX_ERROR_LENGTH ? text : text.substring(0, MAX_ERROR_LENGTH) + "...";
  }
}
