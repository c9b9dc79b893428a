package io.deeplakelock.bench;

/**
 * The unwoven twin of {@link WovenService}: no rule names this class, so the agent never touches
 * it. Its method's body is the same as theirs.
 */
public final class PlainService {

  private int calls;

  /** A small method of the kind a rule guards: a little work on its argument. */
  public int read(String dataset) {
    return ++calls + dataset.length();
  }
}
