package io.deeplakelock.rules;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * A password or credential read from the environment. It prints as {@code (hidden)}, so string
 * concatenation, logs, {@code toString} chains and exception messages can never show it; only
 * {@link #reveal()} hands it to the ZooKeeper client.
 */
public final class Secret {

  private final String value;

  Secret(String value) {
    this.value = value;
  }

  /** The secret itself, for the ZooKeeper client only. */
  public String reveal() {
    return value;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Secret
        && MessageDigest.isEqual(
            value.getBytes(StandardCharsets.UTF_8),
            ((Secret) other).value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public int hashCode() {
    return 0; // a hash would leak a little of the value; secrets are never map keys
  }

  @Override
  public String toString() {
    return "(hidden)";
  }
}
