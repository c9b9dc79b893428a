package io.deeplakelock.agent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.attachtarget.AttachTarget;
import io.deeplakelock.testsupport.AgentJar;
import io.deeplakelock.testsupport.BridgeProbe;
import io.deeplakelock.testsupport.ChildJvm;
import java.io.File;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A running {@link AttachTarget} service for the roll-out tests: each {@link #call()} makes one
 * guarded call and returns the line it printed. Also runs the agent's command line.
 */
final class TargetJvm implements AutoCloseable {

  private static final Duration WAIT = Duration.ofSeconds(60);

  private final ChildJvm child;

  private TargetJvm(ChildJvm child) {
    this.child = child;
  }

  /** Starts the target with {@code java} and extra JVM options; waits for its READY line. */
  static TargetJvm start(String java, Path dir, String... jvmOptions) throws Exception {
    TargetJvm target =
        new TargetJvm(
            ChildJvm.named("target")
                .java(java)
                .jvmOptions(jvmOptions)
                .classPath(
                    Paths.get("target", "test-classes").toAbsolutePath()
                        + File.pathSeparator
                        + ChildJvm.classPathEntryOf(BridgeProbe.class))
                .main(AttachTarget.class, "/data/ds")
                .stderrTo(dir.resolve("target.err"))
                .start());
    String ready = target.next();
    assertTrue(ready.equals("READY"), ready);
    return target;
  }

  String pid() {
    return String.valueOf(child.pid());
  }

  /** Makes one guarded call and returns what it printed. */
  String call() throws Exception {
    child.send("call");
    return next();
  }

  private String next() throws Exception {
    String line = child.nextLine(WAIT);
    assertTrue(line != null, "the target printed nothing; its stderr:\n" + stderr());
    return line;
  }

  String stderr() {
    return child.stderr();
  }

  /** Waits until the target's stderr holds {@code text} at least {@code times} times. */
  void awaitStderr(String text, int times) {
    child.awaitStderr(text, times, WAIT);
  }

  @Override
  public void close() {
    child.close();
  }

  /** The output and exit status of one {@code java -jar deeplake-lock.jar ...} command. */
  static final class Cli {
    final int exit;
    final String output;

    private Cli(int exit, String output) {
      this.exit = exit;
      this.output = output;
    }

    static Cli run(String... args) throws Exception {
      List<String> cmd = new ArrayList<>();
      cmd.add(ChildJvm.JAVA);
      cmd.add("-jar");
      cmd.add(AgentJar.path().toString());
      cmd.addAll(List.of(args));
      ChildJvm.Finished cli =
          ChildJvm.named("cli").command(cmd).stderrIntoStdout().run(Duration.ofSeconds(60));
      return new Cli(cli.exit, cli.stdout);
    }
  }
}
