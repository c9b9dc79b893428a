package io.deeplakelock.matching.sample;

import java.lang.reflect.InvocationTargetException;

/**
 * What a sample method reports about the lock it runs under: {@code WRITE /ds/x}, {@code READ
 * /ds/x}, or {@code unlocked}. Reads {@code io.deeplakelock.bridge.DatasetLocks} reflectively, as
 * the README tells applications to, so the samples also run without the agent.
 */
public final class Probe {

  private Probe() {}

  /** The innermost dataset lock held by this thread, as {@code MODE dataset}. */
  public static String held() {
    try {
      Object info =
          Class.forName("io.deeplakelock.bridge.DatasetLocks").getMethod("current").invoke(null);
      if (info == null) {
        return "unlocked";
      }
      Object mode = info.getClass().getMethod("mode").invoke(info);
      Object dataset = info.getClass().getMethod("dataset").invoke(info);
      return mode + " " + dataset;
    } catch (ClassNotFoundException e) {
      return "unlocked"; // no agent in this JVM
    } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("cannot read DatasetLocks.current(): " + e, e);
    }
  }
}
