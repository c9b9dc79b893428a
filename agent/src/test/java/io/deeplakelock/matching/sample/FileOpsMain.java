package io.deeplakelock.matching.sample;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;

/**
 * Changes the files of the dataset {@code ROOT/ds} in every way the file audit watches, each from a
 * call site of its own, and prints {@code label -> ok} or {@code label -> refused <message>}. The
 * dataset must hold the files {@code a} and {@code b}; nothing here takes a lock.
 */
public final class FileOpsMain {

  private interface Op {
    void run() throws IOException;
  }

  private FileOpsMain() {}

  public static void main(String[] args) {
    Path root = Paths.get(args[0]);
    Path ds = root.resolve("ds");
    File a = ds.resolve("a").toFile();
    byte[] x = "x".getBytes(StandardCharsets.UTF_8);
    op("io-output", () -> new FileOutputStream(a).close());
    op("io-append", () -> new FileOutputStream(a, true).close());
    op("io-random-access-rw", () -> new RandomAccessFile(a, "rw").close());
    op("io-random-access-r", () -> new RandomAccessFile(a, "r").close());
    op("io-delete", () -> ds.resolve("b").toFile().delete());
    op("io-rename", () -> a.renameTo(ds.resolve("c").toFile()));
    op("io-create", () -> ds.resolve("new").toFile().createNewFile());
    op("io-mkdir", () -> ds.resolve("dir").toFile().mkdir());
    op("io-mkdirs", () -> ds.resolve("dirs/sub").toFile().mkdirs());
    op("nio-output", () -> Files.newOutputStream(ds.resolve("a")).close());
    op("nio-append", () -> Files.write(ds.resolve("a"), x, StandardOpenOption.APPEND));
    op("nio-create", () -> Files.createFile(ds.resolve("new2")));
    op("nio-delete", () -> Files.delete(ds.resolve("b")));
    op("nio-delete-if-exists", () -> Files.deleteIfExists(ds.resolve("b")));
    op("nio-move", () -> Files.move(ds.resolve("a"), ds.resolve("moved")));
    op("nio-move-in", () -> Files.move(root.resolve("outside"), ds.resolve("moved-in")));
    op("nio-copy-in", () -> Files.copy(root.resolve("outside"), ds.resolve("copy")));
    op("nio-mkdir", () -> Files.createDirectory(ds.resolve("dir2")));
    op(
        "nio-channel-write",
        () -> FileChannel.open(ds.resolve("a"), StandardOpenOption.WRITE).close());
    op(
        "nio-channel-truncate",
        () ->
            FileChannel.open(
                    ds.resolve("a"), StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)
                .close());
    op("nio-read", () -> Files.readAllBytes(ds.resolve("a")));
    op("outside-write", () -> Files.write(root.resolve("outside-2"), x));
    op("outside-io-write", () -> new FileOutputStream(root.resolve("outside-3").toFile()).close());
  }

  private static void op(String label, Op op) {
    String result;
    try {
      op.run();
      result = "ok";
    } catch (IOException | RuntimeException e) {
      result =
          (e.getClass().getName().equals("io.deeplakelock.bridge.UnguardedWriteException")
                  ? "refused "
                  : "failed ")
              + e.getClass().getSimpleName();
    }
    System.out.println(label + " -> " + result);
  }
}
