package io.deeplakelock.loaders.launch;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;

/**
 * A Spring Boot-style loader for jars nested in a jar: it reads {@code BOOT-INF/classes/} and every
 * {@code BOOT-INF/lib/*.jar} into memory at start and defines classes from those bytes. Parent
 * first, like Spring Boot's, with the application class loader (the outer jar's root and the agent
 * jar) as parent, so any class the agent jar failed to relocate would shadow the service's own.
 *
 * <p>Library classes get a synthetic {@code nested:} code source (no file behind it); the service's
 * own classes get none at all (the class loader's default domain, a code source without a
 * location). Resources, class files included, are served from memory through {@code nested:} URLs,
 * unless {@code hideClassFiles} is set.
 */
final class NestedJarClassLoader extends ClassLoader {

  static {
    ClassLoader.registerAsParallelCapable();
  }

  private static final String CLASSES = "BOOT-INF/classes/";
  private static final String LIB = "BOOT-INF/lib/";

  /** What each nested resource is and where it came from, by resource name; first one wins. */
  private final Map<String, Entry> entries;

  private final boolean hideClassFiles;
  private final Map<String, Boolean> definedPackages = new ConcurrentHashMap<>();

  private NestedJarClassLoader(
      Map<String, Entry> entries, ClassLoader parent, boolean hideClassFiles) {
    super("nested-jar", parent);
    this.entries = entries;
    this.hideClassFiles = hideClassFiles;
  }

  /** Reads the nested classes and jars of {@code jar} (the file {@code outer}) into memory. */
  static NestedJarClassLoader open(
      JarFile jar, File outer, ClassLoader parent, boolean hideClassFiles) throws IOException {
    Map<String, Entry> entries = new HashMap<>();
    Map<String, byte[]> byUrl = new ConcurrentHashMap<>();
    URLStreamHandler handler = new InMemoryHandler(byUrl);
    String base = outer.getAbsolutePath() + "!/";
    // The service's own classes: defined without a protection domain.
    Source classes = new Source(url(handler, base + CLASSES), null, null);
    List<JarEntry> libs = new ArrayList<>();
    for (JarEntry entry : Collections.list(jar.entries())) {
      String name = entry.getName();
      if (entry.isDirectory()) {
        continue;
      }
      if (name.startsWith(CLASSES)) {
        add(entries, byUrl, handler, classes, name.substring(CLASSES.length()), read(jar, entry));
      } else if (name.startsWith(LIB) && name.endsWith(".jar")) {
        libs.add(entry);
      }
    }
    NestedJarClassLoader loader = new NestedJarClassLoader(entries, parent, hideClassFiles);
    for (JarEntry lib : libs) {
      try (JarInputStream in = new JarInputStream(jar.getInputStream(lib))) {
        URL root = url(handler, base + lib.getName() + "!/");
        Source source =
            new Source(
                root,
                in.getManifest(),
                new ProtectionDomain(
                    new CodeSource(root, (Certificate[]) null), null, loader, null));
        for (JarEntry inner = in.getNextJarEntry(); inner != null; inner = in.getNextJarEntry()) {
          if (!inner.isDirectory()) {
            add(entries, byUrl, handler, source, inner.getName(), readAll(in));
          }
        }
      }
    }
    return loader;
  }

  @Override
  protected Class<?> findClass(String name) throws ClassNotFoundException {
    Entry entry = entries.get(name.replace('.', '/') + ".class");
    if (entry == null) {
      throw new ClassNotFoundException(name);
    }
    definePackageOf(name, entry.source);
    if (entry.source.domain == null) {
      return defineClass(name, entry.bytes, 0, entry.bytes.length);
    }
    return defineClass(name, entry.bytes, 0, entry.bytes.length, entry.source.domain);
  }

  @Override
  protected URL findResource(String name) {
    if (hideClassFiles && name.endsWith(".class")) {
      return null;
    }
    Entry entry = entries.get(name);
    return entry == null ? null : entry.url;
  }

  @Override
  protected Enumeration<URL> findResources(String name) {
    URL url = findResource(name);
    return url == null
        ? Collections.<URL>emptyEnumeration()
        : Collections.enumeration(Collections.singletonList(url));
  }

  private void definePackageOf(String className, Source source) {
    int dot = className.lastIndexOf('.');
    if (dot < 0) {
      return;
    }
    String name = className.substring(0, dot);
    if (definedPackages.putIfAbsent(name, Boolean.TRUE) != null
        || getDefinedPackage(name) != null) {
      return;
    }
    Attributes main =
        source.manifest == null ? new Attributes() : source.manifest.getMainAttributes();
    try {
      definePackage(
          name,
          main.getValue(Attributes.Name.SPECIFICATION_TITLE),
          main.getValue(Attributes.Name.SPECIFICATION_VERSION),
          main.getValue(Attributes.Name.SPECIFICATION_VENDOR),
          main.getValue(Attributes.Name.IMPLEMENTATION_TITLE),
          main.getValue(Attributes.Name.IMPLEMENTATION_VERSION),
          main.getValue(Attributes.Name.IMPLEMENTATION_VENDOR),
          null);
    } catch (IllegalArgumentException definedMeanwhile) {
      // Another thread defined it first: the same package.
    }
  }

  private static void add(
      Map<String, Entry> entries,
      Map<String, byte[]> byUrl,
      URLStreamHandler handler,
      Source source,
      String name,
      byte[] bytes)
      throws MalformedURLException {
    if (!entries.containsKey(name)) {
      URL url = url(handler, source.root.getFile() + name);
      entries.put(name, new Entry(bytes, source, url));
      byUrl.put(url.getFile(), bytes);
    }
  }

  private static URL url(URLStreamHandler handler, String file) throws MalformedURLException {
    return new URL("nested", null, -1, file, handler);
  }

  private static byte[] read(JarFile jar, JarEntry entry) throws IOException {
    try (InputStream in = jar.getInputStream(entry)) {
      return readAll(in);
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }

  /** One directory or nested jar: its {@code nested:} root, manifest and protection domain. */
  private static final class Source {
    final URL root;
    final Manifest manifest;
    final ProtectionDomain domain;

    Source(URL root, Manifest manifest, ProtectionDomain domain) {
      this.root = root;
      this.manifest = manifest;
      this.domain = domain;
    }
  }

  /** One resource, in memory. */
  private static final class Entry {
    final byte[] bytes;
    final Source source;
    final URL url;

    Entry(byte[] bytes, Source source, URL url) {
      this.bytes = bytes;
      this.source = source;
      this.url = url;
    }
  }

  /** Opens {@code nested:} URLs on the bytes read at start; there is no file behind them. */
  private static final class InMemoryHandler extends URLStreamHandler {
    private final Map<String, byte[]> byUrl;

    InMemoryHandler(Map<String, byte[]> byUrl) {
      this.byUrl = byUrl;
    }

    @Override
    protected URLConnection openConnection(URL url) throws IOException {
      byte[] bytes = byUrl.get(url.getFile());
      if (bytes == null) {
        throw new FileNotFoundException(url.toString());
      }
      return new URLConnection(url) {
        @Override
        public void connect() {
          connected = true;
        }

        @Override
        public InputStream getInputStream() {
          return new ByteArrayInputStream(bytes);
        }

        @Override
        public int getContentLength() {
          return bytes.length;
        }
      };
    }
  }
}
