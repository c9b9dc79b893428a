package io.deeplakelock.loaders.launch;

import java.io.File;
import java.util.jar.JarFile;

/**
 * {@code Main-Class} of the nested-jar scenario's service jar, laid out as Spring Boot lays out an
 * executable jar: this launcher at the root, the service's classes under {@code BOOT-INF/classes/}
 * and its libraries as jars under {@code BOOT-INF/lib/}. Runs the manifest's {@code Start-Class} in
 * a {@link NestedJarClassLoader} over them.
 *
 * <p>With {@code -Dloaders.hideClassFiles=true} the loader does not serve its class files as
 * resources, as some in-memory loaders do not.
 */
public final class NestedJarLauncher {

  private NestedJarLauncher() {}

  public static void main(String[] args) throws Throwable {
    File outer =
        new File(
            NestedJarLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    String startClass;
    ClassLoader loader;
    try (JarFile jar = new JarFile(outer)) {
      startClass = jar.getManifest().getMainAttributes().getValue("Start-Class");
      loader =
          NestedJarClassLoader.open(
              jar,
              outer,
              ClassLoader.getSystemClassLoader(),
              Boolean.getBoolean("loaders.hideClassFiles"));
    }
    Launch.runMain(loader, startClass, args);
  }
}
