package io.deeplakelock.audit;

import io.deeplakelock.lock.LockPath;
import java.io.File;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which dataset directory a file belongs to: the datasets the rules have locked (learned as calls
 * lock them) and, under each {@code audit.roots} directory, each directory directly below it (a
 * plain file directly in a root belongs to no dataset; neither does a directory there that does not
 * exist yet).
 *
 * <p>Paths are compared in the canonical form of {@link LockPath}: absolute against the working
 * directory and normalised lexically, symbolic links not resolved. A file path that is already
 * absolute and clean (the usual case) is used as it is, without allocating.
 */
public final class DatasetDirs {

  /** Up to this many datasets a file is compared with each; beyond, its ancestors are looked up. */
  private static final int LINEAR_LIMIT = 8;

  private static final char SEPARATOR = File.separatorChar;

  private final Path workingDirectory;
  private final String[] roots;
  private volatile String[] datasets = new String[0]; // longest first
  private volatile Set<String> datasetSet = Collections.emptySet();

  /**
   * @param roots directories whose subdirectories are datasets, as the rules file wrote them
   */
  public DatasetDirs(Path workingDirectory, List<String> roots) {
    this.workingDirectory = workingDirectory;
    List<String> canonical = new ArrayList<>();
    for (String root : roots) {
      canonical.add(localPath(root));
    }
    this.roots = canonical.toArray(new String[0]);
  }

  /**
   * Records a dataset that a rule locked; a remote one ({@code s3://}, {@code hub://}) is ignored.
   *
   * @return true when it is a local dataset directory that was not known yet
   */
  public boolean learn(String dataset) {
    String canonical;
    try {
      canonical = LockPath.canonical(dataset, workingDirectory);
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (!isLocal(canonical) || datasetSet.contains(canonical)) {
      return false;
    }
    synchronized (this) {
      if (datasetSet.contains(canonical)) {
        return false;
      }
      Set<String> grown = new HashSet<>(datasetSet);
      grown.add(canonical);
      String[] sorted = grown.toArray(new String[0]);
      Arrays.sort(sorted, (a, b) -> b.length() - a.length());
      datasets = sorted;
      datasetSet = grown;
      return true;
    }
  }

  /** The datasets learned so far, longest first. */
  public List<String> datasets() {
    return Collections.unmodifiableList(Arrays.asList(datasets));
  }

  /** The roots, canonical. */
  public List<String> roots() {
    return Collections.unmodifiableList(Arrays.asList(roots));
  }

  /** True while there is nothing to watch: every file is outside. */
  public boolean isEmpty() {
    return roots.length == 0 && datasets.length == 0;
  }

  /**
   * The canonical path of a {@code java.io.File} or a {@code java.nio.file.Path} of the default
   * file system; null for anything else or a path that cannot be one.
   */
  public String canonical(Object file) {
    String text = pathText(file);
    if (text == null) {
      return null;
    }
    if (isClean(text)) {
      return text;
    }
    try {
      return localPath(text);
    } catch (InvalidPathException e) {
      return null;
    }
  }

  /**
   * False when {@code file} is certainly in no dataset: an absolute, clean path outside them all.
   * Allocates nothing and touches no file; a path that needs canonicalising is "maybe".
   */
  public boolean mayHold(Object file) {
    String text = pathText(file);
    if (text == null) {
      return false;
    }
    String[] known = datasets;
    if (!isClean(text) || known.length > LINEAR_LIMIT) {
      return !isEmpty(); // canonicalising or the ancestor look-up allocates: the full check
    }
    for (String dataset : known) {
      if (isUnder(text, dataset)) {
        return true;
      }
    }
    for (String root : roots) {
      if (isUnder(text, root)) {
        return true;
      }
    }
    return false;
  }

  /** The dataset directory that holds {@code canonicalFile} (or is it), or null. */
  public String datasetOf(String canonicalFile) {
    String[] known = datasets;
    if (known.length <= LINEAR_LIMIT) {
      for (String dataset : known) {
        if (isUnder(canonicalFile, dataset)) {
          return dataset;
        }
      }
    } else {
      Set<String> set = datasetSet;
      for (String p = canonicalFile; p != null; p = parent(p)) {
        if (set.contains(p)) {
          return p;
        }
      }
    }
    for (String root : roots) {
      if (canonicalFile.length() > root.length() + 1 && isUnder(canonicalFile, root)) {
        int start = root.length() + (root.charAt(root.length() - 1) == SEPARATOR ? 0 : 1);
        int end = canonicalFile.indexOf(SEPARATOR, start);
        if (end >= 0) {
          return canonicalFile.substring(0, end);
        }
        // Directly in the root: a dataset directory itself, or a file of the root's own.
        return new File(canonicalFile).isDirectory() ? canonicalFile : null;
      }
    }
    return null;
  }

  private static boolean isUnder(String file, String dir) {
    return file.startsWith(dir)
        && (file.length() == dir.length()
            || file.charAt(dir.length()) == SEPARATOR
            || dir.charAt(dir.length() - 1) == SEPARATOR);
  }

  private static String parent(String path) {
    int slash = path.lastIndexOf(SEPARATOR);
    return slash <= 0 ? null : path.substring(0, slash);
  }

  private String localPath(String path) {
    return workingDirectory.resolve(Paths.get(path)).normalize().toString();
  }

  private static boolean isLocal(String canonical) {
    try {
      return Paths.get(canonical).isAbsolute();
    } catch (InvalidPathException e) {
      return false;
    }
  }

  /** The path a {@code File} or {@code Path} stands for, as written; null for anything else. */
  private static String pathText(Object file) {
    if (file instanceof File) {
      return ((File) file).getPath();
    }
    return file instanceof Path ? file.toString() : null;
  }

  /**
   * True for an absolute path with no empty, {@code .} or {@code ..} segment and no trailing
   * separator: its canonical form is itself. Only on file systems that separate with '/'. (A
   * segment that merely starts with a dot, {@code /.git}, is sent to the full check too; the
   * intrinsic {@code indexOf} keeps this a few nanoseconds.)
   */
  static boolean isClean(String path) {
    int n = path.length();
    if (SEPARATOR != '/' || n == 0 || path.charAt(0) != '/') {
      return false;
    }
    return n == 1
        || (path.charAt(n - 1) != '/' && path.indexOf("//") < 0 && path.indexOf("/.") < 0);
  }
}
