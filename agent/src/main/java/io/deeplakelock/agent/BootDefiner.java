package io.deeplakelock.agent;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;

/**
 * Defines classes in the bootstrap class loader without appending anything to its search path.
 *
 * <p>Appending a jar at run time ({@code Instrumentation.appendToBootstrapClassLoaderSearch}) makes
 * the JVM print "Sharing is only supported for boot loader classes because bootstrap classpath has
 * been appended" and turns off class-data sharing for the service's own classes; a {@code
 * Boot-Class-Path} manifest entry does the same as {@code -Xbootclasspath/a}, which makes the JVM
 * refuse an AppCDS archive dumped without it. Defining the classes directly does neither.
 *
 * <p>This class is never loaded by the agent's own class loader: {@link BridgeInjector} defines it
 * alone in a throwaway class loader and, on Java 9 and newer, exports {@code jdk.internal.misc} to
 * that loader's unnamed module only, so neither the agent's nor the service's class path gains
 * access to JDK internals. It may therefore refer to JDK types only.
 */
public final class BootDefiner {

  private BootDefiner() {}

  /**
   * Defines {@code classFiles[i]} as {@code names[i]} in the bootstrap class loader, in the given
   * order (supertypes first).
   */
  public static void define(String[] names, byte[][] classFiles)
      throws ReflectiveOperationException {
    Object unsafe;
    Method define;
    try {
      Class<?> type = Class.forName("jdk.internal.misc.Unsafe"); // Java 9+
      unsafe = type.getMethod("getUnsafe").invoke(null);
      define = defineMethod(type);
    } catch (ClassNotFoundException java8) {
      Class<?> type = Class.forName("sun.misc.Unsafe");
      Field field = type.getDeclaredField("theUnsafe");
      field.setAccessible(true);
      unsafe = field.get(null);
      define = defineMethod(type);
    }
    for (int i = 0; i < names.length; i++) {
      byte[] bytes = classFiles[i];
      define.invoke(unsafe, names[i], bytes, 0, bytes.length, null, null);
    }
  }

  private static Method defineMethod(Class<?> unsafeType) throws NoSuchMethodException {
    return unsafeType.getMethod(
        "defineClass",
        String.class,
        byte[].class,
        int.class,
        int.class,
        ClassLoader.class,
        ProtectionDomain.class);
  }
}
