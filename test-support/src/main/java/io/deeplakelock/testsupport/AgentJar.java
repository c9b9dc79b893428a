package io.deeplakelock.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** The built, shaded deeplake-lock.jar that child JVMs run under. */
public final class AgentJar {

  private AgentJar() {}

  /**
   * The jar failsafe names in {@code agent.jar}, else {@code target/deeplake-lock.jar} of the agent
   * module: the tests run in the agent module's directory or the test app's beside it.
   *
   * @throws AssertionError saying what to do when it is missing
   */
  public static Path path() {
    String property = System.getProperty("agent.jar");
    Path jar =
        property != null
            ? Paths.get(property)
            : Paths.get("..", "agent", "target", "deeplake-lock.jar");
    jar = jar.toAbsolutePath().normalize();
    if (!Files.isRegularFile(jar)) {
      throw new AssertionError(
          "the agent jar "
              + jar
              + " is missing: build it first (mvn -B -DskipTests package, or mvn verify from the"
              + " root)");
    }
    return jar;
  }
}
