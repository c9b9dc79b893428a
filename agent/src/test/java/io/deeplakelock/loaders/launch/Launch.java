package io.deeplakelock.loaders.launch;

import java.lang.reflect.InvocationTargetException;

/** Hands over to the service's main class inside its loader, as real launchers do. */
final class Launch {

  private Launch() {}

  /** Calls {@code main} of {@code mainClass} in {@code loader}, as the thread's context loader. */
  static void runMain(ClassLoader loader, String mainClass, String[] args) throws Throwable {
    Thread.currentThread().setContextClassLoader(loader);
    try {
      Class.forName(mainClass, true, loader)
          .getMethod("main", String[].class)
          .invoke(null, (Object) args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
