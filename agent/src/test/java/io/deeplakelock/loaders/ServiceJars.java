package io.deeplakelock.loaders;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.testsupport.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * The jars the loader ITs' child JVMs run, packed at test time from this module's test classes, so
 * that the service's classes are never on a child's class path: the launcher classes alone, the
 * service, its library interface, the service's own libraries (copied by agent/pom.xml), and all of
 * these as one Spring Boot-style jar of nested jars.
 */
final class ServiceJars {

  static final String LAUNCH = "io/deeplakelock/loaders/launch/";
  static final String APP = "io/deeplakelock/loaders/app/";
  static final String API = "io/deeplakelock/loaders/app/api/";

  /** The service's main class, run inside the loader under test. */
  static final String START_CLASS = "io.deeplakelock.loaders.app.ServiceMain";

  /** Launcher classes only: the child-first scenario's whole class path. */
  final Path launcher;

  /** The service's classes (the guarded ones), without its library interface. */
  final Path app;

  /** The service's library interface, which a {@code subtypesOf} rule names. */
  final Path api;

  /** The service's own Curator, ZooKeeper, Guava, SnakeYAML and SLF4J jars. */
  final List<Path> libs;

  /** The Spring Boot-style executable jar: launcher at the root, the rest under BOOT-INF/. */
  final Path nested;

  private ServiceJars(Path launcher, Path app, Path api, List<Path> libs, Path nested) {
    this.launcher = launcher;
    this.app = app;
    this.api = api;
    this.libs = libs;
    this.nested = nested;
  }

  static ServiceJars build(Path dir) throws IOException {
    Path classes = testClasses();
    Path launcher = dir.resolve("launcher.jar");
    Path app = dir.resolve("service.jar");
    Path api = dir.resolve("service-api.jar");
    Path nested = dir.resolve("service-boot.jar");
    List<Path> libs = foreignLibs();
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(launcher), manifest())) {
      addClasses(out, classes, LAUNCH, "", false);
    }
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(app), manifest())) {
      addClasses(out, classes, APP, "", true);
    }
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(api), manifest())) {
      addClasses(out, classes, API, "", false);
    }
    Manifest boot = manifest();
    boot.getMainAttributes()
        .put(Attributes.Name.MAIN_CLASS, "io.deeplakelock.loaders.launch.NestedJarLauncher");
    boot.getMainAttributes().putValue("Start-Class", START_CLASS);
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(nested), boot)) {
      addClasses(out, classes, LAUNCH, "", false);
      addClasses(out, classes, APP, "BOOT-INF/classes/", true);
      List<Path> nestedJars = new ArrayList<>();
      nestedJars.add(api);
      nestedJars.addAll(libs);
      for (Path jar : nestedJars) {
        // Stored, not deflated, as Spring Boot stores its nested jars.
        byte[] bytes = Files.readAllBytes(jar);
        JarEntry entry = new JarEntry("BOOT-INF/lib/" + jar.getFileName());
        entry.setMethod(JarEntry.STORED);
        entry.setSize(bytes.length);
        entry.setCompressedSize(bytes.length);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        entry.setCrc(crc.getValue());
        out.putNextEntry(entry);
        out.write(bytes);
        out.closeEntry();
      }
    }
    return new ServiceJars(launcher, app, api, libs, nested);
  }

  /** The child-first scenario's jars: the service, its interface and its libraries. */
  List<Path> childFirstJars() {
    List<Path> jars = new ArrayList<>();
    jars.add(app);
    jars.add(api);
    jars.addAll(libs);
    return jars;
  }

  /** The jars agent/pom.xml copies to target/foreign-libs before the ITs run. */
  private static List<Path> foreignLibs() throws IOException {
    Path dir = Paths.get(System.getProperty("foreign.libs", "target/foreign-libs"));
    assertTrue(
        Files.isDirectory(dir),
        "no " + dir + ": run the ITs through Maven (mvn verify), which copies these jars first");
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(f -> f.getFileName().toString().endsWith(".jar"))
          .map(Path::toAbsolutePath)
          .sorted()
          .collect(Collectors.toList());
    }
  }

  private static Manifest manifest() {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    return manifest;
  }

  /**
   * Adds the class files under {@code classes/folder}, as {@code prefix + path}; without the
   * sub-packages unless {@code deep}, and never the library interface's.
   */
  private static void addClasses(
      JarOutputStream out, Path classes, String folder, String prefix, boolean deep)
      throws IOException {
    Path root = classes.resolve(folder);
    List<Path> files;
    try (Stream<Path> walk = deep ? Files.walk(root) : Files.list(root)) {
      files =
          walk.filter(f -> f.toString().endsWith(".class")).sorted().collect(Collectors.toList());
    }
    assertTrue(!files.isEmpty(), "no classes under " + root);
    for (Path file : files) {
      String name = classes.relativize(file).toString().replace('\\', '/');
      if (name.startsWith(API) && !folder.equals(API)) {
        continue;
      }
      out.putNextEntry(new JarEntry(prefix + name));
      Files.copy(file, out); // leaves the jar open for the next entry
      out.closeEntry();
    }
  }

  private static Path testClasses() {
    return ChildJvm.classPathEntryOf(ServiceJars.class);
  }
}
