package io.deeplakelock.testapp.dataset;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code dataset_meta} file: format, embedding dimension, rows per chunk, committed row count,
 * a version counter that every write bumps and, once a writer ran under a lock agent, the fencing
 * token of the newest such writer ({@code fence=}, absent otherwise, see {@link WriterFence}).
 *
 * <p>The file is {@code key=value} lines closed by a line {@code end}, so that a reader can tell a
 * complete meta from one that a concurrent writer has only half rewritten; bytes after that line
 * are ignored, as in chunk files.
 */
final class DatasetMeta {
  static final String FILE_NAME = "dataset_meta";
  static final String FORMAT = "deeplake-lock-testapp/1";

  private final int dim;
  private final int chunkRows;
  private final long rows;
  private final long version;
  private final long fence;

  DatasetMeta(int dim, int chunkRows, long rows, long version) {
    this(dim, chunkRows, rows, version, 0);
  }

  DatasetMeta(int dim, int chunkRows, long rows, long version, long fence) {
    this.dim = dim;
    this.chunkRows = chunkRows;
    this.rows = rows;
    this.version = version;
    this.fence = fence;
  }

  int dim() {
    return dim;
  }

  int chunkRows() {
    return chunkRows;
  }

  /** Rows committed so far, deleted ones included; row indices run from 0 to rows - 1. */
  long rows() {
    return rows;
  }

  long version() {
    return version;
  }

  /** The newest fencing token a writer stamped, or 0 when no writer ran under a lock agent. */
  long fence() {
    return fence;
  }

  /** The same meta stamped with {@code token}. */
  DatasetMeta withFence(long token) {
    return new DatasetMeta(dim, chunkRows, rows, version, token);
  }

  /** Number of chunk files each column has for the committed rows. */
  int chunkCount() {
    return (int) ((rows + chunkRows - 1) / chunkRows);
  }

  /** The chunk that holds the given row. */
  int chunkOf(long row) {
    return (int) (row / chunkRows);
  }

  /** The first row of the given chunk. */
  long firstRow(int chunk) {
    return (long) chunk * chunkRows;
  }

  /** How many committed rows the given chunk holds. */
  int committedIn(int chunk) {
    return (int) Math.max(0, Math.min(chunkRows, rows - firstRow(chunk)));
  }

  /** The meta a write leaves behind: the given row count and the next version, same stamp. */
  DatasetMeta next(long newRows) {
    return new DatasetMeta(dim, chunkRows, newRows, version + 1, fence);
  }

  static DatasetMeta read(Path root) {
    byte[] bytes = DatasetFile.readSettled(root.resolve(FILE_NAME));
    if (bytes == null) {
      throw new CorruptDatasetException(FILE_NAME + " is missing in " + root);
    }
    String content = new String(bytes, StandardCharsets.UTF_8);
    // Stop at the end line: what follows is the tail of a longer meta written at the same time.
    int end = content.indexOf("\nend\n") + 1;
    if (end <= 0) {
      throw new CorruptDatasetException(
          FILE_NAME + " is torn (" + bytes.length + " bytes, no end line)");
    }
    Map<String, String> values = new HashMap<>();
    for (String line : content.substring(0, end).split("\n")) {
      int eq = line.indexOf('=');
      if (eq < 1) {
        throw new CorruptDatasetException(FILE_NAME + " has an unreadable line: " + line);
      }
      values.put(line.substring(0, eq), line.substring(eq + 1));
    }
    if (!FORMAT.equals(values.get("format"))) {
      throw new CorruptDatasetException(
          FILE_NAME + " has format " + values.get("format") + ", expected " + FORMAT);
    }
    int dim = (int) number(values, "dim", 1, Integer.MAX_VALUE);
    int chunkRows = (int) number(values, "chunkRows", 1, Integer.MAX_VALUE);
    long rows = number(values, "rows", 0, Long.MAX_VALUE);
    long version = number(values, "version", 0, Long.MAX_VALUE);
    long fence = values.containsKey("fence") ? number(values, "fence", 0, Long.MAX_VALUE) : 0;
    return new DatasetMeta(dim, chunkRows, rows, version, fence);
  }

  void write(Path root) {
    String content =
        "format="
            + FORMAT
            + "\ndim="
            + dim
            + "\nchunkRows="
            + chunkRows
            + "\nrows="
            + rows
            + "\nversion="
            + version
            + (fence == 0 ? "" : "\nfence=" + fence)
            + "\nend\n";
    DatasetFile.overwrite(root.resolve(FILE_NAME), content.getBytes(StandardCharsets.UTF_8));
  }

  private static long number(Map<String, String> values, String key, long min, long max) {
    String text = values.get(key);
    if (text == null) {
      throw new CorruptDatasetException(FILE_NAME + " has no " + key);
    }
    try {
      long value = Long.parseLong(text);
      if (value < min || value > max) {
        throw new CorruptDatasetException(FILE_NAME + " has " + key + " out of range: " + text);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new CorruptDatasetException(FILE_NAME + " has a non-numeric " + key + ": " + text, e);
    }
  }

  @Override
  public String toString() {
    return "rows="
        + rows
        + " version="
        + version
        + " dim="
        + dim
        + " chunkRows="
        + chunkRows
        + (fence == 0 ? "" : " fence=" + fence);
  }
}
