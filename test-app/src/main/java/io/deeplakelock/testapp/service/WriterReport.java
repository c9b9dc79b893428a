package io.deeplakelock.testapp.service;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one writer process did and what it therefore expects to find in the dataset: the one JSON
 * line a writer prints at the end, and the typed view the checker reads it through.
 *
 * <pre>
 * {"role":"writer","id":"w1","attempted":250,"acked":250,"failed":0,
 *  "appends":140,"updates":60,"deletes":50,"elapsedMs":812,"lockWaitMs":431 (null: no agent),
 *  "errors":{"CorruptDatasetException":2},            failed operations by exception class
 *  "expected":{"w1-0":"w1-0:u","w1-1":"w1-1",...},   acknowledged rows that are not deleted,
 *                                                     with the text each must have now
 *  "deleted":["w1-3",...],                            acknowledged deletes
 *  "uncertain":["w1-7",...]}                          rows a failed operation touched: their
 *                                                     state is unknown, so nobody checks them
 * </pre>
 */
public final class WriterReport {
  static final String ROLE = "writer";

  private final Map<String, Object> json;
  private final Map<String, String> expected;
  private final List<String> deleted;
  private final List<String> uncertain;

  private WriterReport(Map<String, Object> json) {
    this.json = Collections.unmodifiableMap(new LinkedHashMap<>(json));
    Map<String, String> expected = new LinkedHashMap<>();
    for (Map.Entry<String, Object> entry : Json.asObject(json.get("expected")).entrySet()) {
      expected.put(entry.getKey(), (String) entry.getValue());
    }
    this.expected = Collections.unmodifiableMap(expected);
    this.deleted = strings(json.get("deleted"));
    this.uncertain = strings(json.get("uncertain"));
    // Fail on a malformed report here rather than half-way through a check.
    id();
    attempted();
    acked();
    failed();
    lockWaitMs();
    errors();
  }

  /** Whether a JSON object printed by a workload is a writer report. */
  public static boolean isWriterReport(Map<String, Object> json) {
    return ROLE.equals(json.get("role"));
  }

  /**
   * Reads a report from its JSON object.
   *
   * @throws IllegalArgumentException if a field is missing or of the wrong type
   */
  public static WriterReport fromJson(Map<String, Object> json) {
    try {
      return new WriterReport(json);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("malformed writer report: " + e.getMessage(), e);
    }
  }

  /** The report as the JSON object the writer printed. */
  public Map<String, Object> toJson() {
    return json;
  }

  public String id() {
    return (String) json.get("id");
  }

  public long attempted() {
    return number(json, "attempted");
  }

  public long acked() {
    return number(json, "acked");
  }

  public long failed() {
    return number(json, "failed");
  }

  /** Total time this JVM waited for dataset locks, or null when it ran without the agent. */
  public Long lockWaitMs() {
    return json.get("lockWaitMs") == null ? null : number(json, "lockWaitMs");
  }

  /** Failed operations by exception class name. */
  public Map<String, Long> errors() {
    return counts(json.get("errors"));
  }

  /** Row key to the text that acknowledged row must have, for rows not deleted. */
  public Map<String, String> expected() {
    return expected;
  }

  /** Keys of rows whose delete was acknowledged. */
  public List<String> deleted() {
    return deleted;
  }

  /** Keys of rows a failed operation touched. */
  public List<String> uncertain() {
    return uncertain;
  }

  static long number(Map<String, Object> json, String key) {
    Object value = json.get(key);
    if (!(value instanceof Number)) {
      throw new IllegalArgumentException("field " + key + " is not a number: " + value);
    }
    return ((Number) value).longValue();
  }

  static Map<String, Long> counts(Object json) {
    Map<String, Long> counts = new LinkedHashMap<>();
    if (json != null) {
      for (Map.Entry<String, Object> entry : Json.asObject(json).entrySet()) {
        counts.put(entry.getKey(), ((Number) entry.getValue()).longValue());
      }
    }
    return counts;
  }

  private static List<String> strings(Object json) {
    List<String> strings = new ArrayList<>();
    for (Object item : Json.asArray(json)) {
      strings.add((String) item);
    }
    return Collections.unmodifiableList(strings);
  }

  /**
   * Builds a writer's report as it goes: a writer records each operation's outcome here.
   *
   * <p>An operation that throws may or may not have reached the files (without the agent a write
   * can fail half-way), so the rows it touched become uncertain and are left alone after.
   */
  static final class Builder {
    /** Failures logged in full; after that they are only counted. */
    private static final int LOGGED_FAILURES = 10;

    private final String id;
    private final PrintStream log;
    private final Map<Integer, OwnRow> rows = new LinkedHashMap<>();
    private final Map<String, Long> errors = new LinkedHashMap<>();
    private long attempted;
    private long acked;
    private long appends;
    private long updates;
    private long deletes;

    Builder(String id, PrintStream log) {
      this.id = id;
      this.log = log;
    }

    /** Rows this writer may still update: acknowledged, not updated yet, not deleted. */
    List<OwnRow> updatable() {
      List<OwnRow> updatable = new ArrayList<>();
      for (OwnRow row : rows.values()) {
        if (row.isLive() && !row.updated) {
          updatable.add(row);
        }
      }
      return updatable;
    }

    /** Rows this writer may still delete: acknowledged and not deleted. */
    List<OwnRow> deletable() {
      List<OwnRow> deletable = new ArrayList<>();
      for (OwnRow row : rows.values()) {
        if (row.isLive()) {
          deletable.add(row);
        }
      }
      return deletable;
    }

    /** The sequence number the next append will use. */
    int nextSeq() {
      return rows.size();
    }

    void appended(int seq, long index) {
      OwnRow row = new OwnRow(seq, index);
      rows.put(seq, row);
      attempted++;
      acked++;
      appends++;
    }

    void updated(OwnRow row) {
      row.updated = true;
      attempted++;
      acked++;
      updates++;
    }

    void deleted(OwnRow row) {
      row.deleted = true;
      attempted++;
      acked++;
      deletes++;
    }

    /** Records a failed operation on {@code row}, or a failed append when row is null. */
    void failed(OwnRow row, Exception error) {
      if (row == null) {
        row = new OwnRow(nextSeq(), -1);
        rows.put(row.seq, row);
      }
      row.uncertain = true;
      attempted++;
      if (attempted - acked <= LOGGED_FAILURES) {
        log.println(
            "writer "
                + id
                + ": operation on "
                + RowText.appended(id, row.seq)
                + " failed: "
                + error);
      }
      errors.merge(error.getClass().getSimpleName(), 1L, Long::sum);
    }

    WriterReport build(long elapsedMs, Long lockWaitMs) {
      Map<String, String> expected = new LinkedHashMap<>();
      List<String> deleted = new ArrayList<>();
      List<String> uncertain = new ArrayList<>();
      for (OwnRow row : rows.values()) {
        String key = RowText.appended(id, row.seq);
        if (row.uncertain) {
          uncertain.add(key);
        } else if (row.deleted) {
          deleted.add(key);
        } else {
          expected.put(key, row.updated ? RowText.updated(id, row.seq) : key);
        }
      }
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("role", ROLE);
      json.put("id", id);
      json.put("attempted", attempted);
      json.put("acked", acked);
      json.put("failed", attempted - acked);
      json.put("appends", appends);
      json.put("updates", updates);
      json.put("deletes", deletes);
      json.put("elapsedMs", elapsedMs);
      json.put("lockWaitMs", lockWaitMs);
      json.put("errors", errors);
      json.put("expected", expected);
      json.put("deleted", deleted);
      json.put("uncertain", uncertain);
      return new WriterReport(json);
    }
  }

  /** One row a writer appended, as far as the writer knows. */
  static final class OwnRow {
    final int seq;
    final long index;
    boolean updated;
    boolean deleted;
    boolean uncertain;

    OwnRow(int seq, long index) {
      this.seq = seq;
      this.index = index;
    }

    boolean isLive() {
      return !deleted && !uncertain;
    }
  }
}
