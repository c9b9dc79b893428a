package io.deeplakelock.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A child JVM of a test: built with {@link #named}, started with the agent jar and a rules file (or
 * without), on this or another JDK, with its stderr in a file and its stdout read line by line (or
 * kept in a file), and every wait bounded.
 *
 * <p>Its stdout is read by a daemon thread of its own into a queue, so that a test waits for the
 * next line with a timeout ({@link #nextLine}) instead of blocking on the pipe; {@link #EOF} is
 * queued when the child closes its output.
 */
public final class ChildJvm implements AutoCloseable {

  /** The line {@link #nextLine} returns once the child has closed its standard output. */
  public static final String EOF = "\u0000EOF: the process closed its output";

  /** This JVM's own {@code java} launcher. */
  public static final String JAVA =
      Paths.get(System.getProperty("java.home"), "bin", "java").toString();

  private final String name;
  private final Process process;
  private final Path stderr;
  private final Writer stdin;
  private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private ChildJvm(String name, Process process, Path stderr, boolean readStdout) {
    this.name = name;
    this.process = process;
    this.stderr = stderr;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    if (readStdout) {
      Thread reader = new Thread(this::pump, name + "-stdout");
      reader.setDaemon(true);
      reader.start();
    }
  }

  /**
   * The class path entry {@code type} was loaded from (a classes directory or a jar), for a child
   * whose class path holds only what it needs.
   */
  public static Path classPathEntryOf(Class<?> type) {
    try {
      return Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A builder for a child JVM called {@code name} in messages and file names. */
  public static Builder named(String name) {
    return new Builder(name);
  }

  public String name() {
    return name;
  }

  public Process process() {
    return process;
  }

  public long pid() {
    return process.pid();
  }

  /** Writes one line to the child's standard input. */
  public void send(String line) throws IOException {
    stdin.write(line + "\n");
    stdin.flush();
  }

  /** Closes the child's standard input (many children end on it). */
  public void closeInput() throws IOException {
    stdin.close();
  }

  /**
   * The next line of the child's standard output, {@link #EOF} once it closed it, or null when none
   * came within {@code timeout}.
   */
  public String nextLine(Duration timeout) throws InterruptedException {
    return lines.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Whether the child printed a line that no one has read yet. */
  public boolean hasUnreadOutput() {
    return !lines.isEmpty();
  }

  /** The lines printed and not read yet. */
  public List<String> unreadLines() {
    return new ArrayList<>(lines);
  }

  /**
   * Waits for the child to exit and returns its status.
   *
   * @throws AssertionError with the end of its stderr, after killing it, if it did not exit in time
   */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError(
          name + " did not exit within " + timeout + "; its stderr ends:\n" + stderrTail(30));
    }
    return process.exitValue();
  }

  /** The child's file of standard error. */
  public Path stderrFile() {
    return stderr;
  }

  /** What the child printed on standard error so far. */
  public String stderr() {
    try {
      return new String(Files.readAllBytes(stderr), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + stderr + ": " + e + ")";
    }
  }

  /** The last {@code n} lines of the child's standard error. */
  public List<String> stderrTail(int n) {
    String[] all = stderr().split("\n", -1);
    int end = all.length > 0 && all[all.length - 1].isEmpty() ? all.length - 1 : all.length;
    return new ArrayList<>(Arrays.asList(all).subList(Math.max(0, end - n), end));
  }

  /** Waits until the child's stderr holds {@code text} at least {@code times} times. */
  public void awaitStderr(String text, int times, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String err = stderr();
      if (err.split(Pattern.quote(text), -1).length - 1 >= times) {
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("no '" + text + "' x" + times + " in:\n" + err);
      }
      Thread.onSpinWait();
    }
  }

  /** Kills the child at once. */
  @Override
  public void close() {
    process.destroyForcibly();
  }

  private void pump() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lines.add(line);
      }
    } catch (IOException e) {
      // The stream closes when the process is killed; EOF tells the waiter.
    } finally {
      lines.add(EOF);
    }
  }

  /** What a child JVM run to its end printed, and its exit status. */
  public static final class Finished {
    public final int exit;
    public final String stdout;
    public final String stderr;

    Finished(int exit, String stdout, String stderr) {
      this.exit = exit;
      this.stdout = stdout;
      this.stderr = stderr;
    }

    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
  }

  /** How to start a child JVM. */
  public static final class Builder {
    private final String name;
    private String java = JAVA;
    private final List<String> jvmOptions = new ArrayList<>(List.of("-Xshare:off"));
    private String classPath = System.getProperty("java.class.path");
    private String mainClass;
    private List<String> launch;
    private final List<String> args = new ArrayList<>();
    private List<String> command;
    private final Map<String, String> environment = new HashMap<>();
    private final List<String> unset = new ArrayList<>();
    private Path directory;
    private Path logs;
    private Path stderr;
    private Path stdout;
    private boolean mergeStderr;

    private Builder(String name) {
      this.name = name;
    }

    /** The {@code java} launcher of another JDK (default: this JVM's). */
    public Builder java(String launcher) {
      this.java = launcher;
      return this;
    }

    /**
     * JVM options, after {@code -Xshare:off} (a child starts a little lighter without class data
     * sharing) unless {@link #keepClassDataSharing()} took it out.
     */
    public Builder jvmOptions(String... options) {
      return jvmOptions(Arrays.asList(options));
    }

    /**
     * Leaves class data sharing on (no {@code -Xshare:off}), as a user runs a service: the tests of
     * start-up warnings and of the agent's bootstrap bridge need it.
     */
    public Builder keepClassDataSharing() {
      jvmOptions.remove("-Xshare:off");
      return this;
    }

    public Builder jvmOptions(List<String> options) {
      jvmOptions.addAll(options);
      return this;
    }

    /** {@code -javaagent:jar=rules}; no agent when {@code rules} is null. */
    public Builder agent(Path jar, Object rules) {
      if (rules != null) {
        jvmOptions.add("-javaagent:" + jar + "=" + rules);
      }
      return this;
    }

    /** {@code -javaagent:} the built deeplake-lock.jar {@code =rules}; none when it is null. */
    public Builder agent(Object rules) {
      return rules == null ? this : agent(AgentJar.path(), rules);
    }

    /** The class path (default: this JVM's). */
    public Builder classPath(String path) {
      this.classPath = path;
      return this;
    }

    public Builder main(Class<?> main, String... arguments) {
      return main(main.getName(), arguments);
    }

    public Builder main(String main, String... arguments) {
      this.mainClass = main;
      args.addAll(Arrays.asList(arguments));
      return this;
    }

    /**
     * What the JVM runs, as its command line says it after the JVM options: {@code -jar app.jar},
     * {@code -cp CP Main} or a launcher of the test's own; then {@code arguments}.
     */
    public Builder launch(List<String> words, String... arguments) {
      this.launch = new ArrayList<>(words);
      args.addAll(Arrays.asList(arguments));
      return this;
    }

    /** The whole command line, for a child that is not run from a main class (a jar, Python). */
    public Builder command(List<String> commandLine) {
      this.command = new ArrayList<>(commandLine);
      return this;
    }

    public Builder env(String variable, String value) {
      environment.put(variable, value);
      return this;
    }

    public Builder env(Map<String, String> variables) {
      environment.putAll(variables);
      return this;
    }

    /** Removes a variable this JVM would pass on. */
    public Builder unsetEnv(String variable) {
      unset.add(variable);
      return this;
    }

    /** The child's working directory; its stderr (and stdout, if kept) go there by default. */
    public Builder directory(Path dir) {
      this.directory = dir;
      return this;
    }

    /**
     * Where {@code name.err} (and, for {@link #run}, {@code name.out}) go, without changing the
     * child's working directory.
     */
    public Builder logsIn(Path dir) {
      this.logs = dir;
      return this;
    }

    /**
     * The file for the child's standard error (default: {@code name.err} in the logs directory,
     * else in the working directory).
     */
    public Builder stderrTo(Path file) {
      this.stderr = file;
      return this;
    }

    /** Sends the child's standard error where its standard output goes. */
    public Builder stderrIntoStdout() {
      this.mergeStderr = true;
      return this;
    }

    /** Keeps the child's standard output in a file instead of reading it line by line. */
    public Builder stdoutTo(Path file) {
      this.stdout = file;
      return this;
    }

    private Path logDirectory() {
      return logs != null ? logs : directory != null ? directory : Paths.get("").toAbsolutePath();
    }

    /** The command line the child will run. */
    public List<String> commandLine() {
      if (command != null) {
        return command;
      }
      if (mainClass == null && launch == null) {
        throw new IllegalStateException(name + ": no main class and no command");
      }
      List<String> cmd = new ArrayList<>();
      cmd.add(java);
      cmd.addAll(jvmOptions);
      if (launch != null) {
        cmd.addAll(launch);
      } else {
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(mainClass);
      }
      cmd.addAll(args);
      return cmd;
    }

    public ChildJvm start() throws IOException {
      Path err = stderr != null ? stderr : logDirectory().resolve(name + ".err");
      ProcessBuilder builder = new ProcessBuilder(commandLine());
      if (mergeStderr) {
        builder.redirectErrorStream(true);
      } else {
        builder.redirectError(ProcessBuilder.Redirect.to(err.toFile()));
      }
      if (directory != null) {
        builder.directory(directory.toFile());
      }
      if (stdout != null) {
        builder.redirectOutput(ProcessBuilder.Redirect.to(stdout.toFile()));
      }
      builder.environment().keySet().removeAll(unset);
      builder.environment().putAll(environment);
      return new ChildJvm(name, builder.start(), err, stdout == null);
    }

    /**
     * Runs the child to its end, with stdout in {@code name.out} of its logs or working directory
     * (a temporary file when it has neither) unless set otherwise.
     *
     * @throws AssertionError if it does not exit within {@code timeout}
     */
    public Finished run(Duration timeout) throws IOException, InterruptedException {
      if (stdout == null) {
        stdout =
            logs != null || directory != null
                ? logDirectory().resolve(name + ".out")
                : Files.createTempFile(name + "-", ".out");
      }
      try (ChildJvm child = start()) {
        int exit = child.awaitExit(timeout);
        return new Finished(
            exit,
            new String(Files.readAllBytes(stdout), StandardCharsets.UTF_8),
            mergeStderr ? "" : child.stderr());
      }
    }
  }
}
