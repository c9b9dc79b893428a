package io.deeplakelock.testapp.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unit tests for {@link Dataset}. */
class DatasetTest {
  private static final float[] X = {1, 0, 0, 0};
  private static final float[] Y = {0, 1, 0, 0};
  private static final float[] Z = {0, 0, 1, 0};

  @TempDir Path dir;

  private final ExecutorService threads = Executors.newFixedThreadPool(2);

  @AfterEach
  void stopThreads() {
    threads.shutdownNow();
  }

  @Test
  void rowsSurviveReopen() {
    Dataset created = Dataset.create(dir.resolve("ds").toString(), 4);
    assertEquals(0, created.append("a", "k=1", X));
    assertEquals(1, created.append("b", "k=2", Y));
    assertEquals(2, created.append("c", "k=3", Z));
    float[] mostlyZ = {0, 0.6f, 0.8f, 0};
    created.update(1, "b2", "k=2;updated", mostlyZ);
    created.delete(0);

    Dataset reopened = Dataset.open(dir.resolve("ds").toString());
    assertEquals(2, reopened.size());
    assertEquals(4, reopened.getDimension());
    Row row = reopened.get(1);
    assertEquals("b2", row.text());
    assertEquals("k=2;updated", row.metadata());
    assertArrayEquals(mostlyZ, row.embedding());
    assertTrue(reopened.get(0).isDeleted());
    List<Hit> hits = reopened.search(Z, 5);
    assertEquals(2, hits.size(), "the deleted row is not searched");
    assertEquals("c", hits.get(0).text());
    assertEquals(1.0, hits.get(0).score(), 1e-6);
    assertEquals("b2", hits.get(1).text());
    assertEquals(0.8, hits.get(1).score(), 1e-6);
    assertEquals(1, reopened.search(Y, 1).size());
  }

  @Test
  void keepsThePathExactlyAsGiven() {
    String path = dir.resolve("ds") + "/";
    Dataset.create(path, 4);
    assertEquals(path, Dataset.open(path).getPath());
  }

  @Test
  void eachCallSeesWritesMadeThroughAnotherInstance() {
    String path = dir.resolve("ds").toString();
    Dataset first = Dataset.create(path, 4);
    Dataset second = Dataset.open(path);
    first.append("a", "", X);
    second.append("b", "", Y);
    assertEquals(2, first.size());
    assertEquals("b", first.get(1).text());
  }

  @Test
  void rowsSpanChunks() throws IOException {
    Dataset dataset = Dataset.create(dir.resolve("ds").toString(), 4, 4);
    for (int i = 0; i < 10; i++) {
      assertEquals(i, dataset.append("row-" + i, "line\nbreak\\", X));
    }
    dataset.delete(5);
    dataset.update(9, "last", "", Y);
    assertEquals(9, dataset.size());
    assertEquals("last", dataset.get(9).text());
    assertEquals("line\nbreak\\", dataset.get(2).metadata());
    assertTrue(Files.exists(dir.resolve("ds/text/chunk-00002")));
    assertEquals(3, Files.readAllLines(dir.resolve("ds/text/chunk-00002")).size());
  }

  @Test
  void tornChunkIsReportedAsCorrupt() throws IOException {
    Dataset dataset = datasetWithThreeRows();
    Path chunk = dir.resolve("ds/text/chunk-00000");
    byte[] bytes = Files.readAllBytes(chunk);
    Files.write(chunk, Arrays.copyOf(bytes, bytes.length - 6));

    CorruptDatasetException e =
        assertThrows(CorruptDatasetException.class, () -> dataset.search(X, 1));
    assertTrue(e.getMessage().contains("text/chunk-00000 is torn"), e.getMessage());
    assertThrows(CorruptDatasetException.class, () -> dataset.get(0));
  }

  @Test
  void chunkShorterThanTheMetaIsReportedAsCorrupt() throws IOException {
    Dataset dataset = datasetWithThreeRows();
    replace(dir.resolve("ds/dataset_meta"), "rows=3", "rows=4");

    CorruptDatasetException e = assertThrows(CorruptDatasetException.class, dataset::size);
    assertTrue(e.getMessage().contains("holds 3 rows but the meta says 4"), e.getMessage());
  }

  @Test
  void embeddingOfTheWrongLengthIsReportedAsCorrupt() throws IOException {
    Dataset dataset = datasetWithThreeRows();
    replace(dir.resolve("ds/embedding/chunk-00000"), "1\t0.0,1.0,0.0,0.0", "1\t0.0,1.0,0.0");

    CorruptDatasetException e =
        assertThrows(CorruptDatasetException.class, () -> dataset.search(X, 3));
    assertTrue(e.getMessage().contains("embedding/chunk-00000 row 1"), e.getMessage());
    assertTrue(e.getMessage().contains("3 values"), e.getMessage());
  }

  @Test
  void tailOfALongerConcurrentWriteIsIgnored() throws IOException {
    Dataset dataset = datasetWithThreeRows();
    Files.write(
        dir.resolve("ds/text/chunk-00000"),
        "nd\n".getBytes(StandardCharsets.UTF_8),
        StandardOpenOption.APPEND);
    assertEquals("b", dataset.get(1).text());
  }

  @Test
  void appendRepairsAMetaThatGotAheadOfTheChunks() throws IOException {
    Dataset dataset = datasetWithThreeRows();
    replace(dir.resolve("ds/dataset_meta"), "rows=3", "rows=5");
    assertThrows(CorruptDatasetException.class, dataset::size);

    assertEquals(3, dataset.append("d", "", X), "goes after the last row every column holds");
    assertEquals(4, dataset.size());
  }

  @Test
  void unsynchronisedAppendsFromTwoInstancesLoseARow() throws Exception {
    String path = dir.resolve("ds").toString();
    Dataset.create(path, 4);
    Dataset first = Dataset.open(path);
    Dataset second = Dataset.open(path);
    // Both appends read the dataset before either writes: the classic lost update.
    CyclicBarrier bothHaveRead = new CyclicBarrier(2);
    Runnable awaitOther =
        () -> {
          try {
            bothHaveRead.await(10, TimeUnit.SECONDS);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        };
    first.beforeWrite = awaitOther;
    second.beforeWrite = awaitOther;

    Future<Long> firstIndex = threads.submit(() -> first.append("first", "", X));
    Future<Long> secondIndex = threads.submit(() -> second.append("second", "", Y));

    assertEquals(0L, firstIndex.get(10, TimeUnit.SECONDS));
    assertEquals(0L, secondIndex.get(10, TimeUnit.SECONDS));
    Dataset after = Dataset.open(path);
    assertEquals(1, after.size(), "both appends were acknowledged, one row survived");
    assertTrue(Set.of("first", "second").contains(after.get(0).text()));
  }

  @Test
  void rejectsBadArguments() {
    Dataset dataset = datasetWithThreeRows();
    assertThrows(IllegalArgumentException.class, () -> dataset.append("x", "", new float[3]));
    assertThrows(IndexOutOfBoundsException.class, () -> dataset.get(3));
    assertThrows(IndexOutOfBoundsException.class, () -> dataset.delete(-1));
    assertThrows(IllegalStateException.class, () -> Dataset.create(dataset.getPath(), 4));
    assertThrows(
        IllegalArgumentException.class, () -> Dataset.open(dir.resolve("nothing").toString()));
    assertFalse(dataset.get(2).isDeleted());
  }

  private Dataset datasetWithThreeRows() {
    Dataset dataset = Dataset.create(dir.resolve("ds").toString(), 4);
    dataset.append("a", "", X);
    dataset.append("b", "", Y);
    dataset.append("c", "", Z);
    return dataset;
  }

  private static void replace(Path file, String from, String to) throws IOException {
    String content = Files.readString(file);
    assertTrue(content.contains(from), file + " should contain " + from);
    Files.writeString(file, content.replace(from, to));
  }
}
