package io.deeplakelock.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
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
 */
final class ClassScan implements AutoCloseable {

  private final List<String> classNames = new ArrayList<>();
  private final List<ClassFileLocator> locators = new ArrayList<>();
  private final TypePool pool;

  ClassScan(String classPath) throws IOException {
    TreeSet<String> names = new TreeSet<>();
    for (String entry : classPath.split(File.pathSeparator)) {
      if (entry.isEmpty()) {
        continue;
      }
      Path path = Paths.get(entry);
      if (Files.isDirectory(path)) {
        locators.add(new ClassFileLocator.ForFolder(path.toFile()));
        try (Stream<Path> files = Files.walk(path)) {
          files
              .filter(f -> f.toString().endsWith(".class"))
              .forEach(f -> names.add(className(path.relativize(f).toString())));
        }
      } else if (Files.isRegularFile(path)) {
        JarFile jar = new JarFile(path.toFile());
        locators.add(new ClassFileLocator.ForJarFile(jar));
        Enumeration<JarEntry> entries = jar.entries();
        while (entries.hasMoreElements()) {
          String name = entries.nextElement().getName();
          if (name.endsWith(".class") && !name.startsWith("META-INF/")) {
            names.add(className(name));
          }
        }
      } else {
        throw new IOException("class path entry " + entry + " does not exist");
      }
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
  }
}
