package io.deeplakelock.testapp.dataset;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Whole-file reads and in-place rewrites, the only two ways the library touches a file. */
final class DatasetFile {
  /** Every file the library writes closes with this line. */
  static final String END_LINE = "end\n";

  /** Extra reads of a file that looks torn, a millisecond apart. */
  private static final int TORN_RETRIES = 3;

  private DatasetFile() {}

  /**
   * Returns the file's bytes, or null when it does not exist; re-reads a file with no closing
   * {@code end} line a few times first.
   *
   * <p>The library was written for one writer and readers beside it: a file that lacks its end line
   * is usually being rewritten that very moment, and is complete a moment later. Several writers at
   * once defeat this.
   */
  static byte[] readSettled(Path file) {
    byte[] bytes = read(file);
    for (int retry = 0; retry < TORN_RETRIES && bytes != null && !isComplete(bytes); retry++) {
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return bytes;
      }
      bytes = read(file);
    }
    return bytes;
  }

  private static boolean isComplete(byte[] bytes) {
    String content = new String(bytes, StandardCharsets.UTF_8);
    return content.startsWith(END_LINE) || content.contains("\n" + END_LINE);
  }

  /** Returns the file's bytes, or null when it does not exist. */
  static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /**
   * Truncates the file and writes the new content into it.
   *
   * <p>Deliberately not write-to-temp-and-rename: like many real formats the file is rewritten in
   * place, so a reader that comes in between sees an empty or partial file.
   */
  static void overwrite(Path file, byte[] content) {
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(content);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
