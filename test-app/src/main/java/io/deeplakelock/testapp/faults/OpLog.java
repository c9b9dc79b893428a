package io.deeplakelock.testapp.faults;

import io.deeplakelock.testapp.service.Json;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One process's operation history: a JSON object per line, each line handed to the operating system
 * as soon as it is written, so a process killed with SIGKILL loses nothing it logged.
 */
final class OpLog implements AutoCloseable {
  private final Path file;
  private final OutputStream out;

  OpLog(Path file) throws IOException {
    this.file = file;
    this.out = new FileOutputStream(file.toFile(), true);
  }

  /** Microseconds since the epoch: one clock that every process on the host shares. */
  static long nowMicros() {
    Instant now = Instant.now();
    return TimeUnit.SECONDS.toMicros(now.getEpochSecond()) + now.getNano() / 1000;
  }

  synchronized void write(Map<String, Object> record) {
    try {
      // One write call per line: unbuffered, so the line is in the kernel when it returns.
      out.write((Json.write(record) + "\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the history " + file, e);
    }
  }

  @Override
  public synchronized void close() throws IOException {
    out.close();
  }
}
