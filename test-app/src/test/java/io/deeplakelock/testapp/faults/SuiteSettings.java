package io.deeplakelock.testapp.faults;

import io.deeplakelock.testsupport.AgentJar;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * What every trial of a suite run shares: timings, the seed, and how to start a child JVM.
 *
 * <p>System properties (Maven passes {@code -Dname=value} through to the tests): {@code
 * faults.seed} (default: the clock, printed), {@code faults.soak=true} for the long opt-in run,
 * {@code faults.perTrial} to override how many faults each trial injects.
 */
final class SuiteSettings {
  /** ZooKeeper tick: sessions may last 0.6 s to 6 s. */
  static final int TICK_MILLIS = 300;

  static final Duration SESSION_TIMEOUT = Duration.ofSeconds(3);
  static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(2);

  /** Longer than any queue a fault can build: a waiting entry never times out in these runs. */
  static final Duration LOCK_TIMEOUT = Duration.ofSeconds(60);

  final long seed;
  final boolean soak;
  final int faultsPerTrial;
  final Path agentJar;
  final String classpath;
  final String java;

  private SuiteSettings(long seed, boolean soak, int faultsPerTrial, Path agentJar, String cp) {
    this.seed = seed;
    this.soak = soak;
    this.faultsPerTrial = faultsPerTrial;
    this.agentJar = agentJar;
    this.classpath = cp;
    this.java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Reads the settings; the module directory is the working directory, as Maven runs tests. */
  static SuiteSettings fromSystemProperties() throws IOException {
    String seedText = System.getProperty("faults.seed");
    long seed =
        seedText == null || seedText.isEmpty()
            ? System.currentTimeMillis()
            : Long.parseLong(seedText);
    boolean soak = Boolean.getBoolean("faults.soak");
    int perTrial = Integer.getInteger("faults.perTrial", soak ? 10 : 3);
    Path agentJar = AgentJar.path();
    Path appJar = Paths.get("target/test-app.jar").toAbsolutePath();
    Path classpathFile = Paths.get("target/classpath.txt");
    for (Path required : new Path[] {appJar, classpathFile}) {
      if (!Files.isRegularFile(required)) {
        throw new IllegalStateException(
            required + " is missing: build first (mvn -B -DskipTests install)");
      }
    }
    String dependencies =
        new String(Files.readAllBytes(classpathFile), StandardCharsets.UTF_8).trim();
    return new SuiteSettings(
        seed, soak, perTrial, agentJar, appJar + File.pathSeparator + dependencies);
  }

  /**
   * Copies the agent jar into {@code dir} and returns settings that use the copy, so that a rebuild
   * of the agent while the suite runs cannot hand a child a half-written jar.
   */
  SuiteSettings withAgentCopiedTo(Path dir) throws IOException {
    Path copy = dir.resolve(agentJar.getFileName());
    Files.copy(agentJar, copy, StandardCopyOption.REPLACE_EXISTING);
    return new SuiteSettings(seed, soak, faultsPerTrial, copy, classpath);
  }

  @Override
  public String toString() {
    return "seed="
        + seed
        + " soak="
        + soak
        + " faultsPerTrial="
        + faultsPerTrial
        + " sessionTimeout="
        + SESSION_TIMEOUT.toMillis()
        + "ms tick="
        + TICK_MILLIS
        + "ms";
  }
}
