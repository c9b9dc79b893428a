package io.deeplakelock.testapp.dataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Housekeeping that someone added beside {@link Dataset} later: the second path to a dataset's
 * files, the kind a rules file written from {@code Dataset}'s methods misses.
 *
 * <p>{@link #compact(String)} reads every chunk file of every column, then rewrites each with
 * exactly the rows the meta had committed, dropping what a torn rewrite or an uncommitted append
 * left behind. Each file is written to a temporary file beside it and renamed over it. Like {@code
 * Dataset} it takes no lock: a writer that appends between compaction's reads and its renames loses
 * that row.
 */
public final class Maintenance {
  static final String TEMP_SUFFIX = ".compact";

  private Maintenance() {}

  /**
   * Compacts the dataset at {@code path} and returns how many chunk files it rewrote.
   *
   * @throws CorruptDatasetException if a chunk holds fewer rows than the meta says
   */
  public static int compact(String path) {
    Path root = Paths.get(path);
    DatasetMeta meta = DatasetMeta.read(root);
    List<List<String>> compacted = new ArrayList<>();
    for (int chunk = 0; chunk < meta.chunkCount(); chunk++) {
      for (Column column : Column.values()) {
        compacted.add(
            new ChunkFile(root, column, meta, chunk).readCommitted(meta.committedIn(chunk)));
      }
    }
    int rewritten = 0;
    for (int chunk = 0; chunk < meta.chunkCount(); chunk++) {
      for (Column column : Column.values()) {
        rewrite(root, column, chunk, meta.firstRow(chunk), compacted.get(rewritten++));
      }
    }
    return rewritten;
  }

  private static void rewrite(
      Path root, Column column, int chunk, long firstRow, List<String> rows) {
    Path target =
        root.resolve(column.directory()).resolve(String.format(Locale.ROOT, "chunk-%05d", chunk));
    Path temp = target.resolveSibling(target.getFileName() + TEMP_SUFFIX);
    StringBuilder content = new StringBuilder(rows.size() * 32 + 4);
    for (int i = 0; i < rows.size(); i++) {
      content.append(firstRow + i).append('\t').append(rows.get(i)).append('\n');
    }
    content.append(ChunkFile.END).append('\n');
    try {
      Files.write(temp, content.toString().getBytes(StandardCharsets.UTF_8));
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot compact " + target, e);
    }
  }
}
