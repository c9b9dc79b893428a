package io.deeplakelock.loaders.launch;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * A child-first loader in the style of web containers' and plugin hosts': it defines classes from
 * its own jars before asking its parent, and its parent is the platform loader, so it cannot see
 * the application class loader (the class path, and the agent jar on it) at all. Only {@code
 * java.*} goes to the parent first, since no other loader may define it.
 */
final class ChildFirstClassLoader extends URLClassLoader {

  static {
    ClassLoader.registerAsParallelCapable();
  }

  ChildFirstClassLoader(URL[] urls) {
    super("child-first", urls, ClassLoader.getPlatformClassLoader());
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    synchronized (getClassLoadingLock(name)) {
      Class<?> type = findLoadedClass(name);
      if (type == null && !name.startsWith("java.")) {
        try {
          type = findClass(name);
        } catch (ClassNotFoundException notOurs) {
          // Then the parent's, below: the JDK's, or the agent's bridge on the bootstrap path.
        }
      }
      if (type == null) {
        type = getParent().loadClass(name);
      }
      if (resolve) {
        resolveClass(type);
      }
      return type;
    }
  }

  @Override
  public URL getResource(String name) {
    URL own = findResource(name);
    return own != null ? own : getParent().getResource(name);
  }

  @Override
  public Enumeration<URL> getResources(String name) throws IOException {
    List<URL> all = new ArrayList<>(Collections.list(findResources(name)));
    all.addAll(Collections.list(getParent().getResources(name)));
    return Collections.enumeration(all);
  }
}
