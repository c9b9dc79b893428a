package io.deeplakelock.testapp.dataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A dataset in the spirit of Deep Lake: a directory of columns ("tensors") {@code text}, {@code
 * metadata}, {@code embedding} and a {@code deleted} tombstone, each stored as chunk files.
 *
 * <h2>On-disk format</h2>
 *
 * <pre>
 * PATH/dataset_meta           format=deeplake-lock-testapp/1, dim=D, chunkRows=C, rows=N,
 *                             version=V, one key=value per line, then a line "end"
 * PATH/text/chunk-00000       one line per row: ROW TAB TEXT (backslash, \n, \r escaped),
 *                             then a line "end"
 * PATH/metadata/chunk-00000   ROW TAB METADATA (escaped the same way), then "end"
 * PATH/embedding/chunk-00000  ROW TAB F1,F2,...,FD (Float.toString), then "end"
 * PATH/deleted/chunk-00000    ROW TAB 0 or 1, then "end"
 * </pre>
 *
 * Row {@code r} lives in chunk {@code r / C} of every column. The meta's row count {@code N} is the
 * commit point: readers require rows {@code 0..N-1} in every column and ignore lines after them (an
 * append that has not written the meta yet). Deleting sets the tombstone; row indices never move.
 * An append goes after the last row that every column really holds, so a meta that got ahead of the
 * chunks is brought back in line by the next append.
 *
 * <h2>No locking, on purpose</h2>
 *
 * This is the legacy library the agent exists for. Every operation reads the current files first
 * (nothing is cached across calls, so processes that take turns see each other's writes). A write
 * is a plain read-modify-write: read the meta and the chunks, change them in memory, rewrite each
 * chunk file in place (truncate, then write), then rewrite the meta. Two processes writing at once
 * therefore lose rows, updates and deletes, and a reader running beside a writer can meet a torn
 * file or a meta that is ahead of the chunks; reads detect such states and throw {@link
 * CorruptDatasetException} rather than return garbage.
 *
 * <p>Public methods never call each other, so a lock taken around one of them is never re-entered.
 *
 * <h2>Fencing</h2>
 *
 * When the deeplake-lock agent runs a call under the dataset's write lock, the library reads the
 * lock's fencing token (looked up reflectively, see {@link WriterFence}; without the agent none of
 * this happens and the files are exactly as described above). The first read of the meta in such a
 * call refuses the call with {@link StaleWriterException} if the meta carries a newer token, and
 * otherwise stamps the writer's own token into it ({@code fence=T}) before anything else is read;
 * right before a write rewrites its first file, the stamp is read again. So a writer whose lock
 * expired while it was paused is refused as soon as the next holder has touched the dataset, and
 * the next holder never reads data that such a writer changes afterwards. Only a pause that falls
 * between that last check and the file writes themselves (microseconds) escapes it: plain files
 * offer no compare-and-set.
 */
public final class Dataset {
  /** Rows per chunk file when {@link #create(String, int)} is not told otherwise. */
  public static final int DEFAULT_CHUNK_ROWS = 64;

  /** The path exactly as the caller gave it (maybe relative); the agent's rules read this field. */
  private final String path;

  private final Path root;
  private volatile DatasetMeta meta;

  /**
   * Runs between the read and the write half of every write; unit tests use it to replay a race
   * between two writers deterministically. Does nothing otherwise.
   */
  Runnable beforeWrite = () -> {};

  private Dataset(String path, Path root, DatasetMeta meta) {
    this.path = path;
    this.root = root;
    this.meta = meta;
  }

  /** Creates an empty dataset with {@link #DEFAULT_CHUNK_ROWS} rows per chunk. */
  public static Dataset create(String path, int dim) {
    return create(path, dim, DEFAULT_CHUNK_ROWS);
  }

  /**
   * Creates an empty dataset whose embeddings have {@code dim} values.
   *
   * @throws IllegalStateException if a dataset already exists at {@code path}
   */
  public static Dataset create(String path, int dim, int chunkRows) {
    Objects.requireNonNull(path, "path");
    if (dim < 1 || chunkRows < 1) {
      throw new IllegalArgumentException("dim and chunkRows must be positive");
    }
    Path root = Paths.get(path);
    if (Files.exists(root.resolve(DatasetMeta.FILE_NAME))) {
      throw new IllegalStateException("a dataset already exists at " + path);
    }
    try {
      for (Column column : Column.values()) {
        Files.createDirectories(root.resolve(column.directory()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create dataset at " + path, e);
    }
    DatasetMeta meta = new DatasetMeta(dim, chunkRows, 0, 0, WriterFence.token(root));
    meta.write(root);
    return new Dataset(path, root, meta);
  }

  /**
   * Opens an existing dataset, reading its meta.
   *
   * @throws IllegalArgumentException if there is no dataset at {@code path}
   */
  public static Dataset open(String path) {
    Objects.requireNonNull(path, "path");
    Path root = Paths.get(path);
    if (!Files.isRegularFile(root.resolve(DatasetMeta.FILE_NAME))) {
      throw new IllegalArgumentException(
          "no dataset at " + path + " (no " + DatasetMeta.FILE_NAME + ")");
    }
    return new Dataset(path, root, DatasetMeta.read(root));
  }

  /** The path as it was given to {@link #create} or {@link #open}. */
  public String getPath() {
    return path;
  }

  /** The embedding dimension. */
  public int getDimension() {
    return meta.dim();
  }

  /** Re-reads the meta from disk. */
  public void reload() {
    meta = DatasetMeta.read(root);
  }

  /** Appends a row and returns its index. */
  public long append(String text, String metadata, float[] embedding) {
    DatasetMeta current = readMeta();
    checkEmbedding(current, embedding);
    // Start from the chunk holding the last committed row and trust only what every column holds.
    int chunk = current.rows() == 0 ? 0 : current.chunkOf(current.rows() - 1);
    List<List<String>> columns = new ArrayList<>();
    long end = current.rows();
    for (Column column : Column.values()) {
      List<String> payloads = chunkFile(current, column, chunk).read();
      columns.add(payloads);
      end = Math.min(end, current.firstRow(chunk) + payloads.size());
    }
    if (end == current.firstRow(chunk + 1)) {
      chunk++;
      for (List<String> payloads : columns) {
        payloads.clear();
      }
    }
    beforeWrite.run();
    recheckFence();
    int keep = (int) (end - current.firstRow(chunk));
    String[] row = {
      RowCodec.encodeString(text),
      RowCodec.encodeString(metadata),
      RowCodec.encodeEmbedding(embedding),
      RowCodec.encodeDeleted(false)
    };
    for (Column column : Column.values()) {
      List<String> payloads = columns.get(column.ordinal());
      payloads.subList(keep, payloads.size()).clear();
      payloads.add(row[column.ordinal()]);
      chunkFile(current, column, chunk).write(payloads);
    }
    commit(current.next(end + 1));
    return end;
  }

  /** Replaces the text, metadata and embedding of an existing row (deleted or not). */
  public void update(long index, String text, String metadata, float[] embedding) {
    DatasetMeta current = readMeta();
    checkEmbedding(current, embedding);
    checkIndex(current, index);
    int chunk = current.chunkOf(index);
    List<String> texts = rowChunk(current, Column.TEXT, index);
    List<String> metadatas = rowChunk(current, Column.METADATA, index);
    List<String> embeddings = rowChunk(current, Column.EMBEDDING, index);
    beforeWrite.run();
    recheckFence();
    int offset = (int) (index - current.firstRow(chunk));
    texts.set(offset, RowCodec.encodeString(text));
    metadatas.set(offset, RowCodec.encodeString(metadata));
    embeddings.set(offset, RowCodec.encodeEmbedding(embedding));
    chunkFile(current, Column.TEXT, chunk).write(texts);
    chunkFile(current, Column.METADATA, chunk).write(metadatas);
    chunkFile(current, Column.EMBEDDING, chunk).write(embeddings);
    commit(current.next(current.rows()));
  }

  /** Marks a row deleted; its index stays taken. */
  public void delete(long index) {
    DatasetMeta current = readMeta();
    checkIndex(current, index);
    int chunk = current.chunkOf(index);
    List<String> tombstones = rowChunk(current, Column.DELETED, index);
    beforeWrite.run();
    recheckFence();
    tombstones.set((int) (index - current.firstRow(chunk)), RowCodec.encodeDeleted(true));
    chunkFile(current, Column.DELETED, chunk).write(tombstones);
    commit(current.next(current.rows()));
  }

  /** Reads one row, deleted or not. */
  public Row get(long index) {
    DatasetMeta current = readMeta();
    checkIndex(current, index);
    int chunk = current.chunkOf(index);
    int offset = (int) (index - current.firstRow(chunk));
    return new Row(
        index,
        RowCodec.decodeString(payloads(current, Column.TEXT, chunk).get(offset)),
        RowCodec.decodeString(payloads(current, Column.METADATA, chunk).get(offset)),
        RowCodec.decodeEmbedding(
            payloads(current, Column.EMBEDDING, chunk).get(offset), current.dim()),
        RowCodec.decodeDeleted(payloads(current, Column.DELETED, chunk).get(offset)));
  }

  /** Number of rows that are not deleted. */
  public long size() {
    DatasetMeta current = readMeta();
    long live = 0;
    for (int chunk = 0; chunk < current.chunkCount(); chunk++) {
      for (String tombstone : payloads(current, Column.DELETED, chunk)) {
        if (!RowCodec.decodeDeleted(tombstone)) {
          live++;
        }
      }
    }
    return live;
  }

  /**
   * Returns the {@code k} rows most similar to {@code query} by cosine similarity, best first,
   * looking at every row that is not deleted.
   */
  public List<Hit> search(float[] query, int k) {
    DatasetMeta current = readMeta();
    checkEmbedding(current, query);
    List<Hit> hits = new ArrayList<>();
    for (int chunk = 0; chunk < current.chunkCount(); chunk++) {
      List<String> tombstones = payloads(current, Column.DELETED, chunk);
      List<String> embeddings = payloads(current, Column.EMBEDDING, chunk);
      List<String> texts = payloads(current, Column.TEXT, chunk);
      long first = current.firstRow(chunk);
      for (int i = 0; i < tombstones.size(); i++) {
        if (!RowCodec.decodeDeleted(tombstones.get(i))) {
          float[] embedding = RowCodec.decodeEmbedding(embeddings.get(i), current.dim());
          hits.add(
              new Hit(first + i, cosine(query, embedding), RowCodec.decodeString(texts.get(i))));
        }
      }
    }
    hits.sort(Comparator.comparingDouble(Hit::score).reversed().thenComparingLong(Hit::index));
    return Collections.unmodifiableList(new ArrayList<>(hits.subList(0, Math.min(k, hits.size()))));
  }

  private DatasetMeta readMeta() {
    DatasetMeta current = DatasetMeta.read(root);
    long token = WriterFence.token(root);
    if (token != 0) {
      refuseIfStale(current.fence(), token);
      if (current.fence() < token) {
        // Stamp before reading anything else: from now on every older holder is refused.
        current = current.withFence(token);
        current.write(root);
      }
    }
    meta = current;
    return current;
  }

  /** Reads the stamp again right before a write rewrites its first file. */
  private void recheckFence() {
    long token = WriterFence.token(root);
    if (token != 0) {
      refuseIfStale(DatasetMeta.read(root).fence(), token);
    }
  }

  private void refuseIfStale(long stored, long token) {
    if (stored > token) {
      throw new StaleWriterException(path, stored, token);
    }
  }

  private void commit(DatasetMeta next) {
    next.write(root);
    meta = next;
  }

  private ChunkFile chunkFile(DatasetMeta current, Column column, int chunk) {
    return new ChunkFile(root, column, current, chunk);
  }

  /** Reads the whole chunk that holds {@code index}, which must hold that row. */
  private List<String> rowChunk(DatasetMeta current, Column column, long index) {
    ChunkFile file = chunkFile(current, column, current.chunkOf(index));
    List<String> payloads = file.read();
    if (index - file.firstRow() >= payloads.size()) {
      throw new CorruptDatasetException(
          file.name() + " holds " + payloads.size() + " rows, not row " + index);
    }
    return payloads;
  }

  /** Reads the committed payloads of one chunk and checks that every one of them decodes. */
  private List<String> payloads(DatasetMeta current, Column column, int chunk) {
    ChunkFile file = chunkFile(current, column, chunk);
    List<String> payloads = file.readCommitted(current.committedIn(chunk));
    for (int i = 0; i < payloads.size(); i++) {
      try {
        switch (column) {
          case TEXT:
          case METADATA:
            RowCodec.decodeString(payloads.get(i));
            break;
          case EMBEDDING:
            RowCodec.decodeEmbedding(payloads.get(i), current.dim());
            break;
          case DELETED:
            RowCodec.decodeDeleted(payloads.get(i));
            break;
        }
      } catch (IllegalArgumentException e) {
        throw new CorruptDatasetException(
            file.name() + " row " + (file.firstRow() + i) + ": " + e.getMessage(), e);
      }
    }
    return payloads;
  }

  private static void checkEmbedding(DatasetMeta current, float[] embedding) {
    if (embedding.length != current.dim()) {
      throw new IllegalArgumentException(
          "embedding has "
              + embedding.length
              + " values, the dataset's dimension is "
              + current.dim());
    }
  }

  private static void checkIndex(DatasetMeta current, long index) {
    if (index < 0 || index >= current.rows()) {
      throw new IndexOutOfBoundsException(
          "row " + index + " does not exist (the dataset has " + current.rows() + " rows)");
    }
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    double normA = 0;
    double normB = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      normA += (double) a[i] * a[i];
      normB += (double) b[i] * b[i];
    }
    return normA == 0 || normB == 0 ? 0 : dot / Math.sqrt(normA * normB);
  }

  @Override
  public String toString() {
    return "Dataset{" + path + "}";
  }
}
