package io.deeplakelock.cli;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.pool.TypePool;

/**
 * The classes of a {@code :}-separated class path, read as class files (nothing is loaded or
 * initialised), with a type pool that also sees the JDK.
 *
 * <p><b>Archives.</b> A Spring Boot executable jar keeps the application's classes under {@code
 * BOOT-INF/classes/} and its libraries as jars nested under {@code BOOT-INF/lib/}; a WAR the same
 * under {@code WEB-INF/}. Both are read as the service's class loader reads them: the nested jars
 * are copied to a temporary directory (removed by {@link #close}) and opened like any other jar.
 *
 * <p><b>Wildcards.</b> As with {@code java -cp}, {@code dir/*} means every {@code .jar} file of
 * {@code dir} (not its subdirectories); a glob in the last name, such as {@code lib/*.jar}, means
 * the files of that directory it matches.
 */
final class ClassScan implements AutoCloseable {

  /** Where Spring Boot executable jars and WARs keep the application: classes/ and lib/. */
  private static final String[] APPLICATION_ROOTS = {"BOOT-INF/", "WEB-INF/"};

  private final List<String> classNames = new ArrayList<>();
  private final List<ClassFileLocator> locators = new ArrayList<>();
  private final TypePool pool;
  private Path nestedJars; // created on the first nested jar

  /** A class path entry that names nothing to read: the caller's mistake, not a broken file. */
  static final class BadEntryException extends IOException {
    private static final long serialVersionUID = 1L;

    BadEntryException(String message) {
      super(message);
    }
  }

  ClassScan(String classPath) throws IOException {
    TreeSet<String> names = new TreeSet<>();
    try {
      for (String entry : classPath.split(File.pathSeparator)) {
        if (entry.isEmpty()) {
          continue;
        }
        for (Path path : expand(entry)) {
          add(path, entry, names);
        }
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
    for (String name : names) {
      if (!name.endsWith("package-info") && !name.endsWith("module-info")) {
        classNames.add(name);
      }
    }
    List<ClassFileLocator> all = new ArrayList<>(locators);
    all.add(ClassFileLocator.ForClassLoader.ofBootLoader());
    all.add(ClassFileLocator.ForClassLoader.ofPlatformLoader());
    pool = TypePool.Default.of(new ClassFileLocator.Compound(all));
  }

  /**
   * The files one class path entry names: itself, or for a wildcard in its last name the matching
   * files of that directory, sorted.
   */
  static List<Path> expand(String entry) throws BadEntryException {
    int slash = Math.max(entry.lastIndexOf('/'), entry.lastIndexOf(File.separatorChar));
    String last = entry.substring(slash + 1);
    if (last.indexOf('*') < 0 && last.indexOf('?') < 0) {
      Path path = Paths.get(entry);
      if (!Files.exists(path)) {
        throw new BadEntryException("class path entry " + entry + " does not exist");
      }
      return Collections.singletonList(path);
    }
    Path dir = slash < 0 ? Paths.get(".") : Paths.get(entry.substring(0, slash + 1));
    if (!Files.isDirectory(dir)) {
      throw new BadEntryException(
          "class path entry " + entry + ": directory " + dir + " does not exist");
    }
    // java -cp's "dir/*" is every .jar or .JAR of dir; any other pattern is a glob on the name.
    PathMatcher matcher =
        last.equals("*")
            ? FileSystems.getDefault().getPathMatcher("glob:*.{jar,JAR}")
            : FileSystems.getDefault().getPathMatcher("glob:" + last);
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        if (Files.isRegularFile(file) && matcher.matches(file.getFileName())) {
          out.add(file);
        }
      }
    } catch (IOException e) {
      throw new BadEntryException("class path entry " + entry + ": cannot list " + dir + ": " + e);
    }
    if (out.isEmpty()) {
      throw new BadEntryException(
          "class path entry " + entry + " matches no " + (last.equals("*") ? "jar" : "file"));
    }
    Collections.sort(out);
    return out;
  }

  private void add(Path path, String entry, TreeSet<String> names) throws IOException {
    if (Files.isDirectory(path)) {
      locators.add(new ClassFileLocator.ForFolder(path.toFile()));
      try (Stream<Path> files = Files.walk(path)) {
        files
            .filter(f -> f.toString().endsWith(".class"))
            .forEach(f -> names.add(className(path.relativize(f).toString())));
      }
    } else if (Files.isRegularFile(path)) {
      addJar(path, names);
    } else {
      throw new BadEntryException("class path entry " + entry + " is neither a file nor a folder");
    }
  }

  private void addJar(Path path, TreeSet<String> names) throws IOException {
    JarFile jar;
    try {
      jar = new JarFile(path.toFile());
    } catch (IOException e) {
      throw new IOException("cannot read " + path + " as a jar: " + e.getMessage(), e);
    }
    locators.add(new ClassFileLocator.ForJarFile(jar));
    String root = applicationRoot(jar);
    if (root != null) {
      locators.add(new InJar(jar, root + "classes/"));
    }
    Enumeration<JarEntry> entries = jar.entries();
    while (entries.hasMoreElements()) {
      JarEntry entry = entries.nextElement();
      String name = entry.getName();
      if (name.startsWith("META-INF/")) {
        continue;
      }
      if (root != null && name.startsWith(root)) {
        String inRoot = name.substring(root.length());
        if (inRoot.startsWith("classes/") && inRoot.endsWith(".class")) {
          names.add(className(inRoot.substring("classes/".length())));
        } else if (inRoot.startsWith("lib/")
            && inRoot.endsWith(".jar")
            && inRoot.indexOf('/', "lib/".length()) < 0) {
          addJar(extract(jar, entry), names);
        }
      } else if (name.endsWith(".class")) {
        names.add(className(name));
      }
    }
  }

  /** BOOT-INF/ or WEB-INF/ when the jar keeps an application there, else null. */
  private static String applicationRoot(JarFile jar) {
    Enumeration<JarEntry> entries = jar.entries();
    while (entries.hasMoreElements()) {
      String name = entries.nextElement().getName();
      for (String root : APPLICATION_ROOTS) {
        if (name.startsWith(root + "classes/") || name.startsWith(root + "lib/")) {
          return root;
        }
      }
    }
    return null;
  }

  /** Copies a nested jar to the scan's temporary directory. */
  private Path extract(JarFile jar, JarEntry entry) throws IOException {
    if (nestedJars == null) {
      nestedJars = Files.createTempDirectory("deeplake-lock-check");
    }
    // Numbered: two archives may nest libraries of the same name.
    Path file =
        nestedJars.resolve(locators.size() + "-" + Paths.get(entry.getName()).getFileName());
    try (InputStream in = jar.getInputStream(entry)) {
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
    }
    return file;
  }

  private static String className(String file) {
    return file.substring(0, file.length() - ".class".length())
        .replace(File.separatorChar, '.')
        .replace('/', '.');
  }

  /** The names of all classes found, sorted. */
  List<String> classNames() {
    return classNames;
  }

  TypePool pool() {
    return pool;
  }

  @Override
  public void close() throws IOException {
    for (ClassFileLocator locator : locators) {
      locator.close();
    }
    if (nestedJars != null) {
      try (Stream<Path> files = Files.walk(nestedJars)) {
        List<Path> all = new ArrayList<>();
        files.forEach(all::add);
        all.sort(Comparator.reverseOrder());
        for (Path p : all) {
          Files.deleteIfExists(p);
        }
      }
      nestedJars = null;
    }
  }

  /**
   * Class files under a folder of a jar, such as BOOT-INF/classes/; the jar is closed elsewhere.
   */
  private static final class InJar implements ClassFileLocator {
    private final JarFile jar;
    private final String prefix;

    InJar(JarFile jar, String prefix) {
      this.jar = jar;
      this.prefix = prefix;
    }

    @Override
    public Resolution locate(String name) throws IOException {
      JarEntry entry = jar.getJarEntry(prefix + name.replace('.', '/') + ".class");
      if (entry == null) {
        return new Resolution.Illegal(name);
      }
      try (InputStream in = jar.getInputStream(entry)) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) > 0; ) {
          out.write(buffer, 0, n);
        }
        return new Resolution.Explicit(out.toByteArray());
      }
    }

    @Override
    public void close() {
      // the jar belongs to the ForJarFile locator beside this one
    }
  }
}
