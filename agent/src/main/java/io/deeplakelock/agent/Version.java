package io.deeplakelock.agent;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The agent's version, from a resource the build fills in. */
public final class Version {

  private Version() {}

  /** The version string, e.g. {@code 0.1.0}; {@code unknown} outside a built jar. */
  public static String get() {
    try (InputStream in =
        Version.class.getResourceAsStream("/io/deeplakelock/version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
