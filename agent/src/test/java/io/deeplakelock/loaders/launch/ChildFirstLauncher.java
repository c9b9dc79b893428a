package io.deeplakelock.loaders.launch;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.util.Arrays;

/**
 * Main class of the child-first scenario, the only class on the JVM's class path besides the agent:
 * {@code ChildFirstLauncher <jars, path-separated> <main class> <args...>} runs the main class in a
 * {@link ChildFirstClassLoader} over those jars.
 */
public final class ChildFirstLauncher {

  private ChildFirstLauncher() {}

  public static void main(String[] args) throws Throwable {
    String[] jars = args[0].split(File.pathSeparator);
    URL[] urls = new URL[jars.length];
    for (int i = 0; i < jars.length; i++) {
      urls[i] = toUrl(jars[i]);
    }
    ClassLoader loader = new ChildFirstClassLoader(urls);
    Launch.runMain(loader, args[1], Arrays.copyOfRange(args, 2, args.length));
  }

  private static URL toUrl(String path) {
    try {
      return new File(path).toURI().toURL();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException(path, e);
    }
  }
}
