package io.deeplakelock.audit;

import io.deeplakelock.bridge.AuditBridge;
import io.deeplakelock.bridge.AuditHandler;
import io.deeplakelock.bridge.LockMode;
import io.deeplakelock.bridge.UnguardedWriteException;
import io.deeplakelock.rules.AuditSettings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit while enforcing ({@code audit.mode: warn} or {@code fail}): a file operation in a
 * dataset directory is fine when the current thread holds that dataset's write lock (or, for a
 * read-open, any lock on it); anything else is a finding.
 *
 * <p>A finding is logged as one ERROR per call site (the innermost frame of the service's own
 * code), within {@code reportsPerMinute}, and counted for {@code status} and JMX; under {@code
 * fail} it is also refused with an {@link UnguardedWriteException} before the operation happens.
 */
public final class AuditCheck implements AuditHandler, DatasetListener {

  /** What a thread holds: the strongest mode on a lock path, or null. */
  public interface HeldModes {
    LockMode modeHeld(String lockPath);
  }

  private static final Logger log = LoggerFactory.getLogger(AuditCheck.class);

  /** Beyond this many call sites the rest are counted together. */
  private static final int MAX_SITES = 1000;

  private static final String OTHER_SITES = "(further call sites)";
  private static final String AGENT_THREADS = "deeplake-lock-";

  private final AuditSettings settings;
  private final DatasetDirs dirs;
  private final Function<String, String> lockPathOf;
  private final HeldModes held;
  private final String[] fixedLockPaths;
  private final boolean checkReads;
  private final ReportLimit limit;
  private final LongAdder findings = new LongAdder();
  private final Map<String, Site> sites = new ConcurrentHashMap<>();
  private final Map<String, String> lockPaths = new ConcurrentHashMap<>();
  private volatile boolean internalErrorLogged;

  /** One call site's findings. */
  private static final class Site {
    final AtomicLong count = new AtomicLong();
    final String entry;
    final String dataset;
    final String operation;

    Site(String entry, String dataset, String operation) {
      this.entry = entry;
      this.dataset = dataset;
      this.operation = operation;
    }
  }

  /**
   * @param lockPathOf a dataset directory's lock path, computed as guarded calls compute it
   * @param fixedLockPaths the rules' fixed {@code lockPath}s: holding one covers every dataset
   * @param checkReads whether a read-open needs a lock (some read rule takes read locks)
   */
  public AuditCheck(
      AuditSettings settings,
      DatasetDirs dirs,
      Function<String, String> lockPathOf,
      HeldModes held,
      List<String> fixedLockPaths,
      boolean checkReads,
      LongSupplier nanoTime) {
    this.settings = settings;
    this.dirs = dirs;
    this.lockPathOf = lockPathOf;
    this.held = held;
    this.fixedLockPaths = fixedLockPaths.toArray(new String[0]);
    this.checkReads = checkReads;
    this.limit = new ReportLimit(settings.reportsPerMinute(), nanoTime);
  }

  @Override
  public void datasetLocked(String dataset) {
    dirs.learn(dataset);
  }

  @Override
  public boolean concerns(Object file) {
    return dirs.mayHold(file);
  }

  @Override
  public void check(Object file, int operation) {
    if (operation == AuditBridge.READ && !checkReads) {
      return;
    }
    String canonical = dirs.canonical(file);
    if (canonical == null) {
      return;
    }
    String dataset = dirs.datasetOf(canonical);
    if (dataset == null || Thread.currentThread().getName().startsWith(AGENT_THREADS)) {
      return;
    }
    String lockPath;
    try {
      lockPath = lockPaths.computeIfAbsent(dataset, lockPathOf);
      if (covered(lockPath, operation)) {
        return;
      }
    } catch (RuntimeException e) {
      internalError(canonical, dataset, e);
      return;
    }
    finding(canonical, dataset, lockPath, operation);
  }

  private boolean covered(String lockPath, int operation) {
    LockMode mode = held.modeHeld(lockPath);
    if (mode == LockMode.WRITE || (mode != null && operation == AuditBridge.READ)) {
      return true;
    }
    for (String fixed : fixedLockPaths) {
      LockMode fixedMode = held.modeHeld(fixed);
      if (fixedMode == LockMode.WRITE || (fixedMode != null && operation == AuditBridge.READ)) {
        return true;
      }
    }
    return false;
  }

  private void finding(String file, String dataset, String lockPath, int operation) {
    findings.increment();
    ServiceFrames frames = ServiceFrames.current();
    String entry = frames.entryMethod();
    String siteKey = frames.site();
    Site site = sites.get(siteKey);
    if (site == null) {
      if (sites.size() >= MAX_SITES) {
        siteKey = OTHER_SITES;
      }
      site =
          sites.computeIfAbsent(
              siteKey, k -> new Site(entry, dataset, AuditBridge.label(operation)));
    }
    boolean firstAtSite = site.count.getAndIncrement() == 0;
    boolean refuse = settings.mode() == AuditSettings.Mode.FAIL;
    String message = message(file, dataset, lockPath, operation, frames, refuse);
    if (firstAtSite) {
      long heldBack = limit.tryReport();
      if (heldBack >= 0) {
        log.error(
            "{}{}",
            message,
            heldBack > 0
                ? " (" + heldBack + " other report(s) held back by audit.reportsPerMinute)"
                : "");
      }
    }
    if (refuse) {
      throw new UnguardedWriteException(message, file, dataset);
    }
  }

  private static String message(
      String file,
      String dataset,
      String lockPath,
      int operation,
      ServiceFrames frames,
      boolean refuse) {
    boolean read = operation == AuditBridge.READ;
    String entry = frames.entryMethod();
    return (refuse ? "refused unguarded " : "unguarded ")
        + AuditBridge.label(operation)
        + " of "
        + file
        + " in dataset "
        + dataset
        + " (lock path "
        + lockPath
        + ") by thread '"
        + Thread.currentThread().getName()
        + "', which holds no "
        + (read ? "lock" : "write lock")
        + " on it; service code: "
        + frames.first(3)
        + (entry == null
            ? ""
            : "; no rule guards "
                + entry
                + " (add one with lock: "
                + (read ? "read" : "write")
                + ", or run mode: discover to draft it)")
        + (refuse
            ? ". Nothing was changed."
            : ". Later findings at this call site are counted in status and JMX, not logged.");
  }

  private void internalError(String file, String dataset, RuntimeException e) {
    if (!internalErrorLogged) {
      internalErrorLogged = true;
      log.error("the audit could not check {} in dataset {}: {}", file, dataset, e.toString());
    }
    if (settings.mode() == AuditSettings.Mode.FAIL) {
      throw new UnguardedWriteException(
          "the audit could not check "
              + file
              + " in dataset "
              + dataset
              + " ("
              + e
              + "), so the operation was refused. Nothing was changed.",
          file,
          dataset);
    }
  }

  @Override
  public Object enter(int candidate, Object self, Object[] args) {
    return null; // only discovery follows calls
  }

  @Override
  public void leave(Object entered) {}

  /** Findings since start. */
  public long findings() {
    return findings.sum();
  }

  /** What {@code status} and JMX show: a summary line, then one line per call site. */
  public List<String> statusLines() {
    List<String> out = new ArrayList<>();
    out.add(
        "audit "
            + settings.mode().label()
            + ": "
            + findings.sum()
            + " unguarded file operation(s) at "
            + sites.size()
            + " call site(s); watching "
            + dirs.datasets().size()
            + " locked dataset(s)"
            + (dirs.roots().isEmpty() ? "" : " and roots " + dirs.roots())
            + (limit.heldBackTotal() > 0
                ? "; " + limit.heldBackTotal() + " report(s) held back by reportsPerMinute"
                : ""));
    List<Map.Entry<String, Site>> ordered = new ArrayList<>(sites.entrySet());
    ordered.sort((a, b) -> Long.compare(b.getValue().count.get(), a.getValue().count.get()));
    for (Map.Entry<String, Site> e : ordered.subList(0, Math.min(20, ordered.size()))) {
      Site site = e.getValue();
      out.add(
          "  "
              + site.count.get()
              + " x "
              + site.operation
              + " in "
              + site.dataset
              + " at "
              + e.getKey()
              + (site.entry == null ? "" : " (unguarded entry " + site.entry + ")"));
    }
    return Collections.unmodifiableList(out);
  }
}
