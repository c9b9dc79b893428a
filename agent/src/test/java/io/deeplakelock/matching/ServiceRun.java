package io.deeplakelock.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.matching.sample.ProbeMain;
import io.deeplakelock.testsupport.BridgeProbe;
import io.deeplakelock.testsupport.ChildJvm;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One run of a sample service in a child JVM, under the built agent jar or without it, with its
 * exit status and output. The child's class path is this module's test classes and the bridge probe
 * only: the agent reaches it through {@code -javaagent}, as in production.
 */
final class ServiceRun {

  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(90);
  private static final Pattern INSTRUMENTING =
      Pattern.compile("instrumenting (io\\.deeplakelock\\.matching\\.\\S+) with rule '([^']*)'");

  final int exit;
  final String stdout;
  final String stderr;

  private ServiceRun(int exit, String stdout, String stderr) {
    this.exit = exit;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /**
   * Runs {@code mainClass} with {@code -javaagent:deeplake-lock.jar=rules} ({@code rules} null: no
   * agent) and {@code DEEPLAKE_LOCK_LOG=debug}, so stderr lists every instrumented method.
   */
  static ServiceRun run(Path dir, Path rules, Class<?> mainClass, String... args)
      throws IOException, InterruptedException {
    ChildJvm.Finished run =
        ChildJvm.named(mainClass.getSimpleName() + (rules == null ? "-plain" : "-agent"))
            .keepClassDataSharing()
            .agent(rules)
            .classPath(
                testClasses() + File.pathSeparator + ChildJvm.classPathEntryOf(BridgeProbe.class))
            .main(mainClass, args)
            .directory(dir)
            .env("DEEPLAKE_LOCK_LOG", "debug")
            .run(EXIT_TIMEOUT);
    return new ServiceRun(run.exit, run.stdout, run.stderr);
  }

  /** The directory the sample classes were compiled to. */
  static Path testClasses() {
    return ChildJvm.classPathEntryOf(ProbeMain.class);
  }

  /** Each {@code label -> result} line the service printed, by label. */
  Map<String, String> results() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : stdout.split("\n", -1)) {
      int arrow = line.indexOf(" -> ");
      if (arrow >= 0) {
        String previous = out.put(line.substring(0, arrow), line.substring(arrow + 4));
        assertEquals(null, previous, "label printed twice: " + line);
      }
    }
    return out;
  }

  /** What the call labelled {@code label} saw, e.g. {@code WRITE /ds/x} or {@code unlocked}. */
  String result(String label) {
    Map<String, String> results = results();
    assertTrue(results.containsKey(label), "no line for '" + label + "' in\n" + this);
    return results.get(label);
  }

  /**
   * Every method of the samples that the agent logged as instrumented, as {@code
   * Class.method(descriptor) -> rule}.
   */
  Map<String, String> instrumented() {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = INSTRUMENTING.matcher(stderr);
    while (m.find()) {
      out.put(m.group(1), m.group(2));
    }
    return out;
  }

  @Override
  public String toString() {
    String[] lines = stderr.split("\n", -1);
    StringBuilder tail = new StringBuilder();
    for (int i = Math.max(0, lines.length - 40); i < lines.length; i++) {
      tail.append(lines[i]).append('\n');
    }
    return "exit " + exit + "\n--- stdout\n" + stdout + "--- stderr (tail)\n" + tail;
  }
}
