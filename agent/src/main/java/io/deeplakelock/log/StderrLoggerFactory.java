package io.deeplakelock.log;

import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * Hands out {@link StderrLogger}s at the level named by {@code DEEPLAKE_LOCK_LOG} ({@code error},
 * {@code warn} (default), {@code info}, {@code debug}, {@code trace}).
 */
final class StderrLoggerFactory implements ILoggerFactory {

  static final String VARIABLE = "DEEPLAKE_LOCK_LOG";

  private final Level threshold = threshold(System.getenv(VARIABLE));
  private final ConcurrentHashMap<String, Logger> loggers = new ConcurrentHashMap<>();

  @Override
  public Logger getLogger(String name) {
    return loggers.computeIfAbsent(name, n -> new StderrLogger(n, threshold));
  }

  static Level threshold(String setting) {
    if (setting == null || setting.trim().isEmpty()) {
      return Level.WARN;
    }
    try {
      return Level.valueOf(setting.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      System.err.println(
          "deeplake-lock: "
              + VARIABLE
              + "='"
              + setting
              + "' is not a level (error, warn, info, debug, trace); using warn");
      return Level.WARN;
    }
  }
}
