package io.deeplakelock.testapp.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The method bodies a worker recorded in one cell, passed to the coordinator as a binary file
 * beside the protocol (a few MB per cell would swamp a line protocol): a count, then per body its
 * dataset, kind, call instant, body start and body end.
 */
final class IntervalFile implements AutoCloseable {

  private final DataOutputStream out;
  private int left;

  private IntervalFile(DataOutputStream out, int count) {
    this.out = out;
    this.left = count;
  }

  /** Starts (or replaces) {@code file}, which will hold exactly {@code count} bodies. */
  static IntervalFile create(Path file, int count) throws IOException {
    DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
    out.writeInt(count);
    return new IntervalFile(out, count);
  }

  void add(int dataset, boolean write, long called, long start, long end) throws IOException {
    if (left-- == 0) {
      throw new IllegalStateException("more bodies than announced");
    }
    out.writeInt(dataset);
    out.writeBoolean(write);
    out.writeLong(called);
    out.writeLong(start);
    out.writeLong(end);
  }

  @Override
  public void close() throws IOException {
    out.close();
    if (left != 0) {
      throw new IllegalStateException(left + " bodies fewer than announced");
    }
  }

  /** The bodies in {@code file} that started in {@code [from, to)}, as from JVM {@code jvm}. */
  static List<BodyInterval> read(Path file, int jvm, long from, long to) throws IOException {
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
      int count = in.readInt();
      List<BodyInterval> bodies = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        int dataset = in.readInt();
        boolean write = in.readBoolean();
        long called = in.readLong();
        long start = in.readLong();
        long end = in.readLong();
        if (start - from >= 0 && start - to < 0) {
          bodies.add(new BodyInterval(jvm, dataset, write, called, start, end));
        }
      }
      return bodies;
    }
  }
}
