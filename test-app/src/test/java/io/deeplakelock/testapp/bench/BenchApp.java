package io.deeplakelock.testapp.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Writes, compiles and jars a synthetic service for the start-up benchmark: {@code classes} small
 * classes in {@code packages} packages under {@code bench.app} (each package has an abstract base
 * class; every tenth class also implements a marker interface), one dataset class whose {@code
 * append} a rule guards, and a {@code bench.app.Main} that loads and initialises every class, calls
 * {@code append} once and prints the milliseconds since the JVM started and the CPU time the
 * process has used.
 *
 * <p>The jar is kept and reused while its parameters stay the same: compiling 10,000 sources takes
 * longer than the benchmark itself.
 */
final class BenchApp {

  static final String MAIN = "bench.app.Main";
  static final String DATASET_CLASS = "bench.app.store.VectorDataset";
  static final String STORE_INTERFACE = "bench.app.store.Store";
  static final String GUARDED_ANNOTATION = "bench.app.store.Guarded";

  private final int classes;
  private final int packages;

  BenchApp(int classes, int packages) {
    if (classes < packages || packages < 1 || packages > 1000 || classes > 99_999) {
      throw new IllegalArgumentException(
          "need 1..1000 packages and packages..99999 classes, not " + packages + "/" + classes);
    }
    this.classes = classes;
    this.packages = packages;
  }

  /** Total classes Main loads: the generated ones plus each package's base class. */
  int loadedClasses() {
    return classes + packages;
  }

  /** Returns {@code work/bench-app.jar}, building it unless it exists for these parameters. */
  Path jar(Path work) throws IOException {
    Path jar = work.resolve("bench-app.jar");
    Path stamp = work.resolve("bench-app.properties");
    Properties wanted = new Properties();
    wanted.setProperty("classes", String.valueOf(classes));
    wanted.setProperty("packages", String.valueOf(packages));
    wanted.setProperty("format", "2"); // bump when the generated code changes
    if (Files.isRegularFile(jar) && Files.isRegularFile(stamp)) {
      Properties built = new Properties();
      try (var in = Files.newInputStream(stamp)) {
        built.load(in);
      }
      if (built.equals(wanted)) {
        return jar;
      }
    }
    Path src = work.resolve("bench-app-src");
    Path out = work.resolve("bench-app-classes");
    deleteTree(src);
    deleteTree(out);
    List<Path> sources = writeSources(src);
    compile(sources, out);
    writeJar(out, jar);
    try (OutputStream o = Files.newOutputStream(stamp)) {
      wanted.store(o, "parameters of bench-app.jar");
    }
    return jar;
  }

  private List<Path> writeSources(Path src) throws IOException {
    List<Path> files = new ArrayList<>();
    int perPackage = classes / packages;
    int extra = classes % packages;
    int id = 0;
    for (int p = 0; p < packages; p++) {
      String pkg = packageName(p);
      files.add(
          write(
              src,
              pkg + ".PBase",
              "package "
                  + pkg
                  + ";\n"
                  + "public abstract class PBase {\n"
                  + "  public abstract int base();\n"
                  + "  public int twice() { return base() * 2; }\n"
                  + "}\n"));
      int count = perPackage + (p < extra ? 1 : 0);
      for (int c = 0; c < count; c++, id++) {
        String name = className(id);
        files.add(
            write(
                src,
                pkg + "." + name,
                "package "
                    + pkg
                    + ";\n"
                    + "public class "
                    + name
                    + " extends PBase"
                    + (id % 10 == 0 ? " implements bench.app.Marker" : "")
                    + " {\n"
                    + "  static final long CREATED = System.nanoTime();\n"
                    + "  private int value = "
                    + id
                    + ";\n"
                    + "  @Override public int base() { return value; }\n"
                    + "  public String describe(String prefix) { return prefix + value; }\n"
                    + "  public void update(int next) { value = next; }\n"
                    + "}\n"));
      }
    }
    files.add(write(src, "bench.app.Marker", "package bench.app;\npublic interface Marker {}\n"));
    files.add(
        write(
            src,
            STORE_INTERFACE,
            "package bench.app.store;\npublic interface Store {\n  String append(String row);\n}\n"));
    files.add(
        write(
            src,
            GUARDED_ANNOTATION,
            "package bench.app.store;\n"
                + "@java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)\n"
                + "public @interface Guarded {}\n"));
    files.add(
        write(
            src,
            DATASET_CLASS,
            "package bench.app.store;\n"
                + "public class VectorDataset implements Store {\n"
                + "  private final String path;\n"
                + "  public VectorDataset(String path) { this.path = path; }\n"
                + "  /** Returns the mode of the dataset lock it runs under, or \"unlocked\". */\n"
                + "  @Guarded @Override public String append(String row) {\n"
                + "    try {\n"
                + "      Object info = Class.forName(\"io.deeplakelock.bridge.DatasetLocks\")\n"
                + "          .getMethod(\"current\").invoke(null);\n"
                + "      return info == null ? \"unlocked\"\n"
                + "          : String.valueOf(info.getClass().getMethod(\"mode\").invoke(info));\n"
                + "    } catch (ClassNotFoundException e) {\n"
                + "      return \"unlocked\";\n"
                + "    } catch (ReflectiveOperationException e) {\n"
                + "      throw new IllegalStateException(e);\n"
                + "    }\n"
                + "  }\n"
                + "}\n"));
    files.add(
        write(
            src,
            MAIN,
            "package bench.app;\n"
                + "public final class Main {\n"
                + "  public static void main(String[] args) throws Exception {\n"
                + "    ClassLoader loader = Main.class.getClassLoader();\n"
                + "    int loaded = 0;\n"
                + "    int id = 0;\n"
                + "    int perPackage = "
                + perPackage
                + ";\n"
                + "    for (int p = 0; p < "
                + packages
                + "; p++) {\n"
                + "      String pkg = \"bench.app.p\" + pad(p, 3) + \".\";\n"
                + "      Class.forName(pkg + \"PBase\", true, loader);\n"
                + "      loaded++;\n"
                + "      int count = perPackage + (p < "
                + extra
                + " ? 1 : 0);\n"
                + "      for (int c = 0; c < count; c++, id++) {\n"
                + "        Class.forName(pkg + \"C\" + pad(id, 5), true, loader);\n"
                + "        loaded++;\n"
                + "      }\n"
                + "    }\n"
                + "    String held = new bench.app.store.VectorDataset(\"/ds/bench\")"
                + ".append(\"row\");\n"
                + "    long now = System.currentTimeMillis();\n"
                + "    long cpu = ((com.sun.management.OperatingSystemMXBean)\n"
                + "        java.lang.management.ManagementFactory.getOperatingSystemMXBean())"
                + ".getProcessCpuTime();\n"
                + "    long start = java.lang.management.ManagementFactory.getRuntimeMXBean()"
                + ".getStartTime();\n"
                + "    System.out.println(\"BENCH loaded=\" + loaded + \" held=\" + held"
                + " + \" elapsed_ms=\" + (now - start) + \" cpu_ms=\" + cpu / 1000000);\n"
                + "  }\n"
                + "  private static String pad(int n, int width) {\n"
                + "    String s = Integer.toString(n);\n"
                + "    while (s.length() < width) { s = \"0\" + s; }\n"
                + "    return s;\n"
                + "  }\n"
                + "}\n"));
    return files;
  }

  static String packageName(int p) {
    return String.format(Locale.ROOT, "bench.app.p%03d", p);
  }

  static String className(int id) {
    return String.format(Locale.ROOT, "C%05d", id);
  }

  private static Path write(Path src, String className, String text) throws IOException {
    Path file = src.resolve(className.replace('.', '/') + ".java");
    Files.createDirectories(file.getParent());
    Files.write(file, text.getBytes(StandardCharsets.UTF_8));
    return file;
  }

  private static void compile(List<Path> sources, Path out) throws IOException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new IllegalStateException("the benchmark needs a JDK (javax.tools), not a JRE");
    }
    Files.createDirectories(out);
    StringWriter messages = new StringWriter();
    try (StandardJavaFileManager files =
        javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
      Iterable<? extends JavaFileObject> units = files.getJavaFileObjectsFromPaths(sources);
      boolean ok =
          javac
              .getTask(
                  messages,
                  files,
                  null,
                  List.of("-d", out.toString(), "--release", "17", "-proc:none", "-nowarn"),
                  null,
                  units)
              .call();
      if (!ok) {
        throw new IllegalStateException("cannot compile the benchmark app:\n" + messages);
      }
    }
  }

  private static void writeJar(Path classesDir, Path jar) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, MAIN);
    Path partial = jar.resolveSibling(jar.getFileName() + ".part");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(partial), manifest);
        Stream<Path> walk = Files.walk(classesDir)) {
      List<Path> files = new ArrayList<>();
      walk.filter(Files::isRegularFile).sorted().forEach(files::add);
      for (Path file : files) {
        out.putNextEntry(new JarEntry(classesDir.relativize(file).toString().replace('\\', '/')));
        out.write(Files.readAllBytes(file));
        out.closeEntry();
      }
    }
    Files.move(partial, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      List<Path> all = new ArrayList<>();
      walk.sorted(Comparator.reverseOrder()).forEach(all::add);
      for (Path p : all) {
        Files.delete(p);
      }
    }
  }
}
