package io.deeplakelock.bench;

/**
 * The class the benchmark's rule names: {@link #read} is guarded (a read lock on the dataset {@code
 * arg0}), {@link #peek} is not. Both have the body of {@link PlainService#read}.
 *
 * <p>Woven at load time by the agent's own transformer, so nothing may load this class before the
 * benchmark installed it (the benchmark checks that it saw the class being defined).
 */
public final class WovenService {

  public static final String NAME = "io.deeplakelock.bench.WovenService";

  private int calls;

  /** Guarded by the rule {@code bench-read}. */
  public int read(String dataset) {
    return ++calls + dataset.length();
  }

  /** Matched by no rule: the agent must leave it exactly as compiled. */
  public int peek(String dataset) {
    return ++calls + dataset.length();
  }
}
