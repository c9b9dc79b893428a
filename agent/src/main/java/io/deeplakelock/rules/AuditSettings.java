package io.deeplakelock.rules;

import java.util.Collections;
import java.util.List;

/**
 * The {@code audit} section: whether the agent watches the file changes under dataset directories
 * for ones made without the dataset's lock, and where else it looks.
 */
public final class AuditSettings {

  /** What the agent does about a file change that no lock of this thread covers. */
  public enum Mode implements Labelled {
    /** No JDK class is instrumented: the audit costs nothing (the default). */
    OFF,
    /** Log one ERROR per call site (rate-limited) and count it in {@code status} and JMX. */
    WARN,
    /** Throw {@code UnguardedWriteException} before the change happens. */
    FAIL
  }

  /** The default {@link #reportsPerMinute()}. */
  public static final int DEFAULT_REPORTS_PER_MINUTE = 20;

  /** The default {@link #draft()}, relative to the service's working directory. */
  public static final String DEFAULT_DRAFT = "deeplake-lock-draft.yaml";

  /** No audit, no discovery. */
  public static final AuditSettings OFF =
      new AuditSettings(
          Mode.OFF, Collections.<String>emptyList(), DEFAULT_REPORTS_PER_MINUTE, DEFAULT_DRAFT);

  private final Mode mode;
  private final List<String> roots;
  private final int reportsPerMinute;
  private final String draft;

  AuditSettings(Mode mode, List<String> roots, int reportsPerMinute, String draft) {
    this.mode = mode;
    this.roots = Collections.unmodifiableList(roots);
    this.reportsPerMinute = reportsPerMinute;
    this.draft = draft;
  }

  public Mode mode() {
    return mode;
  }

  /**
   * Directories whose subdirectories are datasets, as written (a relative one is resolved against
   * the service's working directory); the audit also watches every dataset a rule has locked.
   */
  public List<String> roots() {
    return roots;
  }

  /** At most this many audit ERROR lines a minute, all call sites together. */
  public int reportsPerMinute() {
    return reportsPerMinute;
  }

  /** Where {@code mode: discover} writes its draft rules file, as written. */
  public String draft() {
    return draft;
  }

  @Override
  public String toString() {
    return "audit "
        + mode.label()
        + (roots.isEmpty() ? "" : " roots " + roots)
        + " reportsPerMinute "
        + reportsPerMinute;
  }
}
