package io.deeplakelock.agent;

import java.util.function.Function;

/**
 * Finds the rules file: the agent argument wins, then system property {@code deeplake.lock.config},
 * then environment variable {@code DEEPLAKE_LOCK_CONFIG}.
 */
final class ConfigLocation {

  static final String PROPERTY = "deeplake.lock.config";
  static final String VARIABLE = "DEEPLAKE_LOCK_CONFIG";

  private ConfigLocation() {}

  /** The rules file path, or null when none of the three names one. */
  static String resolve(
      String agentArgument,
      Function<String, String> properties,
      Function<String, String> environment) {
    if (agentArgument != null && !agentArgument.trim().isEmpty()) {
      return agentArgument.trim();
    }
    String property = properties.apply(PROPERTY);
    if (property != null && !property.trim().isEmpty()) {
      return property.trim();
    }
    String variable = environment.apply(VARIABLE);
    if (variable != null && !variable.trim().isEmpty()) {
      return variable.trim();
    }
    return null;
  }
}
