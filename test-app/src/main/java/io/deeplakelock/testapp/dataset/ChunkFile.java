package io.deeplakelock.testapp.dataset;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One chunk file of one column: a line {@code <row index> TAB <payload>} per row, in row order from
 * the chunk's first row, then a line {@code end}.
 *
 * <p>The closing line tells a complete file from one a concurrent writer has truncated and not yet
 * rewritten. Bytes after it are ignored: when two writers rewrite a file at once, the shorter
 * content can end up followed by the tail of the longer one. How many of the rows count is the
 * meta's business, not the file's.
 */
final class ChunkFile {
  static final String END = "end";

  private final Path file;
  private final String name;
  private final long firstRow;

  ChunkFile(Path root, Column column, DatasetMeta meta, int chunk) {
    String fileName = String.format(Locale.ROOT, "chunk-%05d", chunk);
    this.file = root.resolve(column.directory()).resolve(fileName);
    this.name = column.directory() + "/" + fileName;
    this.firstRow = meta.firstRow(chunk);
  }

  /** The file name relative to the dataset root, for error messages. */
  String name() {
    return name;
  }

  long firstRow() {
    return firstRow;
  }

  /**
   * Returns the payloads of all rows in the file; an absent file holds none.
   *
   * @throws CorruptDatasetException if the file is torn or a line does not hold the row it should
   */
  List<String> read() {
    List<String> payloads = new ArrayList<>();
    byte[] bytes = DatasetFile.readSettled(file);
    if (bytes == null) {
      return payloads;
    }
    String content = new String(bytes, StandardCharsets.UTF_8);
    int start = 0;
    while (true) {
      int end = content.indexOf('\n', start);
      if (end < 0) {
        throw new CorruptDatasetException(
            name + " is torn (" + bytes.length + " bytes, no closing " + END + " line)");
      }
      String line = content.substring(start, end);
      start = end + 1;
      if (line.equals(END)) {
        break;
      }
      long row = firstRow + payloads.size();
      int tab = line.indexOf('\t');
      if (tab < 0 || !line.substring(0, tab).equals(Long.toString(row))) {
        throw new CorruptDatasetException(
            name
                + " line "
                + (payloads.size() + 1)
                + " should hold row "
                + row
                + ": "
                + brief(line));
      }
      payloads.add(line.substring(tab + 1));
    }
    return payloads;
  }

  /**
   * Returns the payloads of the first {@code committed} rows.
   *
   * @throws CorruptDatasetException if the file is torn or holds fewer rows
   */
  List<String> readCommitted(int committed) {
    List<String> payloads = read();
    if (payloads.size() < committed) {
      throw new CorruptDatasetException(
          name + " holds " + payloads.size() + " rows but the meta says " + committed);
    }
    return new ArrayList<>(payloads.subList(0, committed));
  }

  /** Rewrites the file in place with the given payloads, the first one being {@link #firstRow}. */
  void write(List<String> payloads) {
    StringBuilder content = new StringBuilder(payloads.size() * 32 + 4);
    for (int i = 0; i < payloads.size(); i++) {
      content.append(firstRow + i).append('\t').append(payloads.get(i)).append('\n');
    }
    content.append(END).append('\n');
    DatasetFile.overwrite(file, content.toString().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Reads every complete row line up to the first bad one, whatever the meta says and whether or
   * not the file is torn, for {@link Salvage}.
   */
  List<String> readLeniently(int maxRows) {
    List<String> payloads = new ArrayList<>();
    byte[] bytes = DatasetFile.read(file);
    if (bytes == null) {
      return payloads;
    }
    String content = new String(bytes, StandardCharsets.UTF_8);
    int start = 0;
    int end;
    while (payloads.size() < maxRows && (end = content.indexOf('\n', start)) >= 0) {
      String line = content.substring(start, end);
      start = end + 1;
      int tab = line.indexOf('\t');
      if (tab < 0 || !line.substring(0, tab).equals(Long.toString(firstRow + payloads.size()))) {
        break;
      }
      payloads.add(line.substring(tab + 1));
    }
    return payloads;
  }

  private static String brief(String line) {
    return '"' + (line.length() <= 60 ? line : line.substring(0, 60) + "...") + '"';
  }
}
