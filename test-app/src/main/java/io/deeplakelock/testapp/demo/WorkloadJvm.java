package io.deeplakelock.testapp.demo;

import io.deeplakelock.testapp.service.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One workload process: its standard output is watched for the {@code READY} line and kept for the
 * JSON summary, its standard error goes to a log file so the demo's own output stays a table.
 * Public so the integration tests drive their child JVMs the same way.
 */
public final class WorkloadJvm {
  private final String name;
  private final Process process;
  private final Path log;
  private final CountDownLatch ready = new CountDownLatch(1);
  private final List<String> output = Collections.synchronizedList(new ArrayList<String>());
  private final Thread reader;

  private WorkloadJvm(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.reader = new Thread(this::readOutput, name + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code command} in {@code workDir} with extra environment variables. */
  public static WorkloadJvm start(
      String name, List<String> command, Map<String, String> environment, Path workDir, Path log)
      throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectError(ProcessBuilder.Redirect.to(log.toFile()));
    builder.environment().putAll(environment);
    return new WorkloadJvm(name, builder.start(), log);
  }

  /** The process, e.g. for its pid when a test signals it. */
  public Process process() {
    return process;
  }

  public String name() {
    return name;
  }

  /** Waits until the child printed {@code READY}; false if it exited or the time ran out first. */
  public boolean awaitReady(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (!ready.await(50, TimeUnit.MILLISECONDS)) {
      if (!process.isAlive() || System.nanoTime() - deadline > 0) {
        return ready.getCount() == 0;
      }
    }
    return true;
  }

  /** Waits for the child to exit and returns its status; kills it if the time runs out. */
  public int awaitExit(long timeout, TimeUnit unit) throws InterruptedException {
    if (!process.waitFor(timeout, unit)) {
      process.destroyForcibly();
      throw new DemoException(name + " did not finish within " + timeout + " " + unit, this);
    }
    reader.join(TimeUnit.SECONDS.toMillis(5));
    return process.exitValue();
  }

  /** The JSON summary the child printed last, or null if it printed none. */
  public Map<String, Object> summary() {
    synchronized (output) {
      for (int i = output.size() - 1; i >= 0; i--) {
        if (output.get(i).startsWith("{")) {
          return Json.parseObject(output.get(i));
        }
      }
    }
    return null;
  }

  /** The last lines the child wrote to standard error. */
  public List<String> logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return all.subList(Math.max(0, all.size() - lines), all.size());
    } catch (IOException e) {
      return Collections.singletonList("(cannot read " + log + ": " + e + ")");
    }
  }

  public void destroy() {
    process.destroyForcibly();
  }

  private void readOutput() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.equals("READY")) {
          ready.countDown();
        } else {
          output.add(line);
        }
      }
    } catch (IOException e) {
      // The stream closes when the process is killed; its exit status tells the rest.
    }
  }
}
