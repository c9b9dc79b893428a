package io.deeplakelock.agent;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the file audit adds to a file open outside every dataset directory, the common case in a
 * service: with {@code audit=off} nothing is woven (the agent's default); with {@code audit=warn}
 * the JDK's file classes are woven as the agent weaves them, the audit's handler is plugged in and
 * one dataset is watched. Each value runs in a fork of its own.
 *
 * <ul>
 *   <li>{@link #ioOpenClose}: {@code new FileInputStream(file).close()}.
 *   <li>{@link #nioOpenClose}: {@code Files.newByteChannel(path).close()}.
 *   <li>{@link #bridgeCheck}: only what the woven advice calls, {@code AuditBridge.check}, for a
 *       file outside the datasets: the audit's own cost, without the system calls.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Djdk.attach.allowAttachSelf=true", "-Xshare:off"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
public class FileAuditBenchmark {

  @Param({"off", "warn"})
  public String audit;

  private Path dir;
  private File file;
  private Path path;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("file-audit-bench");
    path = Files.write(dir.resolve("outside.txt"), new byte[] {1, 2, 3});
    file = path.toFile();
    if (audit.equals("warn")) {
      java.lang.instrument.Instrumentation inst = ByteBuddyAgent.install();
      // As the agent does: the bridge on the bootstrap class path before anything loads it.
      inst.appendToBootstrapClassLoaderSearch(new java.util.jar.JarFile(bridgeJar().toFile()));
      AuditBenchmarkSetup.weave(inst, dir.resolve("datasets"));
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    Files.deleteIfExists(path);
    Files.deleteIfExists(dir);
  }

  @Benchmark
  public int ioOpenClose() throws IOException {
    try (InputStream in = new FileInputStream(file)) {
      return in.hashCode();
    }
  }

  @Benchmark
  public long nioOpenClose() throws IOException {
    try (SeekableByteChannel channel = Files.newByteChannel(path)) {
      return channel.hashCode();
    }
  }

  @Benchmark
  public File bridgeCheck() {
    AuditBenchmarkSetup.check(file);
    return file;
  }

  /** The compiled bridge package as a jar, as the shaded agent carries it. */
  private static Path bridgeJar() throws IOException {
    Path classes = Paths.get("agent", "target", "classes");
    if (!Files.isDirectory(classes)) {
      classes = Paths.get("target", "classes");
    }
    Path bridge = classes.resolve("io/deeplakelock/bridge");
    Path jar = Files.createTempFile("bridge", ".jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
        Stream<Path> files = Files.list(bridge)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        out.putNextEntry(new JarEntry("io/deeplakelock/bridge/" + f.getFileName()));
        out.write(Files.readAllBytes(f));
        out.closeEntry();
      }
    }
    return jar;
  }

  /** Kept apart so the bridge classes load only after the bootstrap class path has them. */
  static final class AuditBenchmarkSetup {
    static void weave(java.lang.instrument.Instrumentation inst, Path datasets) {
      io.deeplakelock.audit.DatasetDirs dirs =
          new io.deeplakelock.audit.DatasetDirs(Paths.get("/"), Collections.<String>emptyList());
      io.deeplakelock.audit.AuditCheck check =
          new io.deeplakelock.audit.AuditCheck(
              io.deeplakelock.rules.AuditSettings.OFF,
              dirs,
              ds -> "/deeplake/x",
              lockPath -> null,
              Collections.<String>emptyList(),
              true,
              System::nanoTime);
      check.datasetLocked(datasets.resolve("ds").toString());
      io.deeplakelock.bridge.AuditBridge.install(check);
      AuditWeaving.install(inst);
    }

    static void check(File file) {
      io.deeplakelock.bridge.AuditBridge.check(file, io.deeplakelock.bridge.AuditBridge.READ);
    }
  }
}
