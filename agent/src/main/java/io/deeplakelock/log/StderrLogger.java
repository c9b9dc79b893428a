package io.deeplakelock.log;

import java.io.PrintStream;
import java.text.SimpleDateFormat;
import java.util.Date;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * One line per event on stderr, prefixed {@code deeplake-lock}, so the agent's messages and those
 * of its relocated ZooKeeper client are told apart from the host service's own output.
 */
final class StderrLogger extends LegacyAbstractLogger {

  private static final long serialVersionUID = 1L;
  private static final String SHADED = "io.deeplakelock.shaded.";

  private final int threshold;
  private final boolean library;

  StderrLogger(String name, Level threshold) {
    this.name = name.startsWith(SHADED) ? name.substring(SHADED.length()) : name;
    this.threshold = threshold.toInt();
    this.library = name.startsWith(SHADED);
  }

  @Override
  public boolean isTraceEnabled() {
    return Level.TRACE.toInt() >= threshold;
  }

  @Override
  public boolean isDebugEnabled() {
    return Level.DEBUG.toInt() >= threshold;
  }

  @Override
  public boolean isInfoEnabled() {
    return Level.INFO.toInt() >= threshold;
  }

  @Override
  public boolean isWarnEnabled() {
    return Level.WARN.toInt() >= threshold;
  }

  @Override
  public boolean isErrorEnabled() {
    return Level.ERROR.toInt() >= threshold;
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(
      Level level, Marker marker, String pattern, Object[] args, Throwable thrown) {
    StringBuilder line = new StringBuilder(128);
    synchronized (StderrLogger.class) {
      line.append(TIME.format(new Date()));
    }
    line.append(" deeplake-lock ")
        .append(level)
        .append(" [")
        .append(Thread.currentThread().getName())
        .append("] ")
        .append(name)
        .append(": ")
        .append(MessageFormatter.basicArrayFormat(pattern, args));
    // ZooKeeper warns with a stack trace on every failed reconnect; one line each is enough
    // unless debugging.
    boolean trace = thrown != null && (!library || isDebugEnabled());
    if (thrown != null && !trace) {
      line.append(" (").append(thrown).append(')');
    }
    PrintStream err = System.err;
    synchronized (err) {
      err.println(line);
      if (trace) {
        thrown.printStackTrace(err);
      }
    }
  }

  private static final SimpleDateFormat TIME = new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZ");
}
