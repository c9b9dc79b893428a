package io.deeplakelock.agent;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads and initialises the agent's own classes on the start-up thread, before the service runs.
 *
 * <p><b>Why.</b> Otherwise the first guarded call loads and initialises them: on a virtual thread
 * (JDK 21+) class loading and class initialisation pin the carrier thread, and every other virtual
 * thread that reaches the same class meanwhile pins its carrier too while it waits ("Waited for
 * initialization of ... by another thread" in JFR's {@code jdk.VirtualThreadPinned}). The packages
 * are the ones a guarded call runs through; none has a static initialiser with effects beyond its
 * own constants. It costs a few tens of milliseconds of start-up.
 */
final class AgentClasses {

  private static final Logger log = LoggerFactory.getLogger(AgentClasses.class);

  /** The packages a guarded call runs through (cli/ is the command line, bridge/ is loaded). */
  private static final String[] PACKAGES = {
    "io/deeplakelock/agent/",
    "io/deeplakelock/audit/",
    "io/deeplakelock/lock/",
    "io/deeplakelock/rules/",
    "io/deeplakelock/log/"
  };

  private AgentClasses() {}

  /** Initialises every class of {@link #PACKAGES} in the agent's jar; failures only log. */
  static void initialize() {
    long start = System.nanoTime();
    ClassLoader loader = AgentClasses.class.getClassLoader();
    List<String> names = classNames();
    int done = 0;
    for (String name : names) {
      try {
        Class.forName(name, true, loader);
        done++;
      } catch (LinkageError | ClassNotFoundException | RuntimeException e) {
        log.debug("could not initialise {} ahead of use: {}", name, e.toString());
      }
    }
    log.debug(
        "initialised {} of {} agent classes in {} ms",
        done,
        names.size(),
        (System.nanoTime() - start) / 1_000_000);
  }

  private static List<String> classNames() {
    List<String> names = new ArrayList<>();
    File jar;
    try {
      jar =
          new File(AgentClasses.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException | RuntimeException e) {
      return names;
    }
    if (!jar.isFile()) {
      return names; // run from a class folder (unit tests): nothing to do ahead of time
    }
    try (JarFile file = new JarFile(jar)) {
      Enumeration<JarEntry> entries = file.entries();
      while (entries.hasMoreElements()) {
        String entry = entries.nextElement().getName();
        if (!entry.endsWith(".class")) {
          continue;
        }
        for (String prefix : PACKAGES) {
          if (entry.startsWith(prefix) && entry.indexOf('/', prefix.length()) < 0) {
            names.add(entry.substring(0, entry.length() - ".class".length()).replace('/', '.'));
          }
        }
      }
    } catch (IOException e) {
      log.debug("cannot list {}: {}", jar, e.toString());
    }
    return names;
  }
}
