package io.deeplakelock.testapp.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A test-only file that exists exactly while a writer is inside the ledger's critical section:
 * created on entry (create-new, so finding it there is a witnessed overlap), removed on exit.
 *
 * <p>The first line names the owner ({@code CHILD OP}); later lines ({@code phase read}, {@code
 * phase appended}) say how far the owner got, which the suite reads to hit a holder mid-write. A
 * writer that finds the file takes it over, so a holder killed inside the section causes one
 * collision, not one per later entry; the checker tells those apart from real overlaps.
 */
final class Witness {
  private final Path file;

  Witness(Path file) {
    this.file = file;
  }

  /**
   * Creates the file for {@code owner}.
   *
   * @return null, or the owner line of the file that was already there
   */
  String enter(String owner) {
    byte[] line = (owner + "\n").getBytes(StandardCharsets.UTF_8);
    try {
      Files.write(file, line, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      return null;
    } catch (FileAlreadyExistsException e) {
      String existing = owner();
      write(line, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
      return existing == null ? "(gone)" : existing;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the witness " + file, e);
    }
  }

  /** Notes how far {@code owner} got, if the file is still its own. */
  void mark(String owner, String phase) {
    if (owner.equals(owner())) {
      write(("phase " + phase + "\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
    }
  }

  /** Removes the file, if it is still {@code owner}'s. */
  void exit(String owner) {
    if (owner.equals(owner())) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot remove the witness " + file, e);
      }
    }
  }

  /** The owner line, or null when there is no file. */
  private String owner() {
    try {
      String content = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
      int end = content.indexOf('\n');
      return end < 0 ? content : content.substring(0, end);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the witness " + file, e);
    }
  }

  private void write(byte[] bytes, StandardOpenOption... options) {
    try {
      Files.write(file, bytes, options);
    } catch (NoSuchFileException e) {
      // Its owner removed it in between: nothing to note.
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the witness " + file, e);
    }
  }
}
