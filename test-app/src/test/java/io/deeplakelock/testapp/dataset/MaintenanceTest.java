package io.deeplakelock.testapp.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unit tests for {@link Maintenance}. */
class MaintenanceTest {
  private static final float[] X = {1, 0, 0, 0};

  @TempDir Path dir;

  @Test
  void compactKeepsCommittedRowsAndDropsTrailingBytes() throws IOException {
    String path = dir.resolve("ds").toString();
    Dataset dataset = Dataset.create(path, 4, 2);
    for (int i = 0; i < 5; i++) {
      dataset.append("row" + i, "m", X);
    }
    dataset.delete(1);
    Path chunk = dir.resolve("ds").resolve("text").resolve("chunk-00000");
    Files.write(chunk, "stale tail\n".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);

    assertEquals(12, Maintenance.compact(path), "3 chunks x 4 columns");

    String text = new String(Files.readAllBytes(chunk), StandardCharsets.UTF_8);
    assertFalse(text.contains("stale tail"), text);
    Dataset reopened = Dataset.open(path);
    assertEquals(4, reopened.size());
    assertEquals("row4", reopened.get(4).text());
    assertTrue(reopened.get(1).isDeleted());
    try (Stream<Path> files = Files.walk(dir)) {
      assertFalse(
          files.anyMatch(f -> f.toString().endsWith(Maintenance.TEMP_SUFFIX)), "temp files left");
    }
  }

  @Test
  void anAppendBetweenCompactionsReadAndRenameIsLost() {
    // The race the audit exists to catch, replayed in one thread: compaction read the chunk, a
    // writer appended and committed, compaction renamed its copy over the writer's chunk.
    String path = dir.resolve("ds").toString();
    Dataset dataset = Dataset.create(path, 4, 8);
    dataset.append("a", "m", X);
    Path root = dir.resolve("ds");
    DatasetMeta before = DatasetMeta.read(root);
    ChunkFile text = new ChunkFile(root, Column.TEXT, before, 0);
    java.util.List<String> copy = text.readCommitted(before.committedIn(0));
    dataset.append("b", "m", X);
    text.write(copy); // what the rename of the compacted copy does
    assertEquals(2, DatasetMeta.read(root).rows(), "the meta has both rows");
    assertEquals(1, new ChunkFile(root, Column.TEXT, before, 0).read().size(), "row b is gone");
  }
}
