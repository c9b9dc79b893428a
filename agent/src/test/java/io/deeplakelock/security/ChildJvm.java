package io.deeplakelock.security;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a main class of the test class path in a fresh JVM, with its own environment. */
final class ChildJvm {

  static final String JAVA = Paths.get(System.getProperty("java.home"), "bin", "java").toString();

  private ChildJvm() {}

  /** The java command line for {@code mainClass}, with {@code jvmFlags} before it. */
  static List<String> command(List<String> jvmFlags, Class<?> mainClass, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(JAVA);
    cmd.add("-Xshare:off");
    cmd.addAll(jvmFlags);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass.getName());
    cmd.addAll(Arrays.asList(args));
    return cmd;
  }

  /** Runs to completion (at most 60 s) with stdout and stderr in files of {@code dir}. */
  static Result run(Path dir, String name, List<String> command, Map<String, String> env)
      throws IOException, InterruptedException {
    Path out = dir.resolve(name + ".out");
    Path err = dir.resolve(name + ".err");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().putAll(env);
    Process p = builder.start();
    boolean exited = p.waitFor(60, TimeUnit.SECONDS);
    if (!exited) {
      p.destroyForcibly();
    }
    assertTrue(exited, name + " did not exit within 60 s");
    return new Result(
        p.exitValue(),
        new String(Files.readAllBytes(out), StandardCharsets.UTF_8),
        new String(Files.readAllBytes(err), StandardCharsets.UTF_8));
  }

  /** What a finished child JVM printed. */
  static final class Result {
    final int exit;
    final String stdout;
    final String stderr;

    Result(int exit, String stdout, String stderr) {
      this.exit = exit;
      this.stdout = stdout;
      this.stderr = stderr;
    }

    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
  }
}
