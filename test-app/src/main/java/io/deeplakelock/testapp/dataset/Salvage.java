package io.deeplakelock.testapp.dataset;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a possibly damaged dataset still holds, read leniently, so that a checker can count lost and
 * duplicated rows even when {@link Dataset} refuses to read it.
 *
 * <p>A committed row counts as readable when its text line is intact; its tombstone counts as set
 * only when the tombstone line is intact and says so.
 */
public final class Salvage {
  private final long committedRows;
  private final List<String> liveTexts;
  private final long unreadableRows;

  private Salvage(long committedRows, List<String> liveTexts, long unreadableRows) {
    this.committedRows = committedRows;
    this.liveTexts = liveTexts;
    this.unreadableRows = unreadableRows;
  }

  /**
   * Reads what it can of the dataset at {@code path}.
   *
   * @throws CorruptDatasetException if even the meta is unreadable
   */
  public static Salvage of(String path) {
    Path root = Paths.get(path);
    DatasetMeta meta = DatasetMeta.read(root);
    List<String> live = new ArrayList<>();
    long readable = 0;
    for (int chunk = 0; chunk < meta.chunkCount(); chunk++) {
      int committed = meta.committedIn(chunk);
      List<String> texts = new ChunkFile(root, Column.TEXT, meta, chunk).readLeniently(committed);
      List<String> tombstones =
          new ChunkFile(root, Column.DELETED, meta, chunk).readLeniently(committed);
      for (int i = 0; i < texts.size(); i++) {
        String text;
        try {
          text = RowCodec.decodeString(texts.get(i));
        } catch (IllegalArgumentException e) {
          continue;
        }
        readable++;
        if (i >= tombstones.size() || !"1".equals(tombstones.get(i))) {
          live.add(text);
        }
      }
    }
    return new Salvage(meta.rows(), Collections.unmodifiableList(live), meta.rows() - readable);
  }

  /** Rows the meta says are committed, deleted ones included. */
  public long committedRows() {
    return committedRows;
  }

  /** Texts of the readable rows that are not deleted, in row order; duplicates kept. */
  public List<String> liveTexts() {
    return liveTexts;
  }

  /** Committed rows whose text could not be read. */
  public long unreadableRows() {
    return unreadableRows;
  }
}
