package io.deeplakelock.testapp.demo;

import io.deeplakelock.testapp.service.Verification;
import io.deeplakelock.testapp.service.WriterReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What one run of the concurrent workload added up to: the writers, the searcher, the check. */
final class RunResult {
  final String label;
  final long writesAttempted;
  final long writesAcked;
  final long readsAttempted;
  final long corruptReads;
  final long failedReads;
  final Long lockWaitMs;
  final long wallMillis;
  final Verification verification;

  /** One line per process that reported failures: which exceptions, or the first problem. */
  final List<String> firstProblems;

  /** The last standard-error lines of each process that reported failures. */
  final List<String> failureLog;

  RunResult(
      String label,
      List<WriterReport> writers,
      List<Map<String, Object>> searchers,
      Verification verification,
      long wallMillis,
      List<String> failureLog) {
    this.label = label;
    this.verification = verification;
    this.wallMillis = wallMillis;
    this.firstProblems = new ArrayList<>();
    this.failureLog = failureLog;
    long attempted = 0;
    long acked = 0;
    Long lockWait = null;
    for (WriterReport writer : writers) {
      attempted += writer.attempted();
      acked += writer.acked();
      lockWait = add(lockWait, writer.lockWaitMs());
      if (!writer.errors().isEmpty()) {
        firstProblems.add("writer " + writer.id() + " failures: " + writer.errors());
      }
    }
    long reads = 0;
    long corrupt = 0;
    long failed = 0;
    for (Map<String, Object> searcher : searchers) {
      reads += number(searcher, "attempted");
      corrupt += number(searcher, "corrupt");
      failed += number(searcher, "failed");
      Object wait = searcher.get("lockWaitMs");
      lockWait = add(lockWait, wait == null ? null : number(searcher, "lockWaitMs"));
      if (searcher.get("firstProblem") != null) {
        firstProblems.add("searcher " + searcher.get("id") + ": " + searcher.get("firstProblem"));
      }
    }
    this.writesAttempted = attempted;
    this.writesAcked = acked;
    this.readsAttempted = reads;
    this.corruptReads = corrupt;
    this.failedReads = failed;
    this.lockWaitMs = lockWait;
  }

  /** Whether every operation was acknowledged and nothing was lost, duplicated or read corrupt. */
  boolean isClean() {
    return problems().isEmpty();
  }

  /** What went wrong, in words; empty when the run is clean. */
  List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (verification.lost() > 0) {
      problems.add(count(verification.lost(), "row was lost", "rows were lost"));
    }
    if (verification.duplicated() > 0) {
      problems.add(count(verification.duplicated(), "row was duplicated", "rows were duplicated"));
    }
    if (verification.wronglyPresent() > 0) {
      problems.add(
          count(verification.wronglyPresent(), "deleted row came back", "deleted rows came back"));
    }
    if (corruptReads > 0) {
      problems.add(count(corruptReads, "read was corrupt", "reads were corrupt"));
    }
    if (writesAcked < writesAttempted) {
      problems.add(count(writesAttempted - writesAcked, "write failed", "writes failed"));
    }
    if (failedReads > 0) {
      problems.add(count(failedReads, "read failed", "reads failed"));
    }
    if (!verification.isReadable()) {
      problems.add("the dataset is unreadable (" + verification.problem() + ")");
    }
    return problems;
  }

  private static String count(long n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }

  private static Long add(Long sum, Long value) {
    if (value == null) {
      return sum;
    }
    return sum == null ? value : sum + value;
  }

  private static long number(Map<String, Object> json, String key) {
    Object value = json.get(key);
    if (!(value instanceof Number)) {
      throw new IllegalArgumentException("searcher summary field " + key + " is " + value);
    }
    return ((Number) value).longValue();
  }
}
