package io.deeplakelock.agent;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import net.bytebuddy.dynamic.loading.ClassInjector;
import net.bytebuddy.jar.asm.ClassReader;

/**
 * Defines the {@code io.deeplakelock.bridge} package in the bootstrap class loader, so advice
 * inlined into classes of any class loader can reach it: directly, through {@link BootDefiner}, so
 * that the JVM prints no warning and keeps class-data sharing for the service's classes; by
 * appending a jar to the bootstrap class path only if that fails.
 *
 * <p>Must run before anything loads a bridge class through the agent's own loader: the system class
 * loader asks the bootstrap loader first, so from then on every loader sees the one bootstrap copy.
 */
final class BridgeInjector {

  static final String BRIDGE_PREFIX = "io/deeplakelock/bridge/";

  /** Defines the bridge in the bootstrap loader; read as bytes, never loaded by this loader. */
  private static final String DEFINER = "io/deeplakelock/agent/BootDefiner.class";

  private BridgeInjector() {}

  /** True when an earlier attach already put the bridge on the bootstrap class path. */
  static boolean alreadyInjected() {
    try {
      Class.forName("io.deeplakelock.bridge.LockBridge", false, null);
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /**
   * Defines the bridge classes in the bootstrap class loader. Returns true when that worked without
   * touching the bootstrap search path (no JVM warning, class-data sharing kept); false when the
   * bridge had to be appended to it instead.
   */
  static boolean inject(Instrumentation inst) throws IOException {
    File agentJar = agentJar();
    Map<String, byte[]> classes = new LinkedHashMap<>();
    byte[] definer = null;
    try (JarFile jar = new JarFile(agentJar)) {
      Enumeration<JarEntry> entries = jar.entries();
      while (entries.hasMoreElements()) {
        JarEntry entry = entries.nextElement();
        String name = entry.getName();
        if (name.startsWith(BRIDGE_PREFIX) && name.endsWith(".class")) {
          try (InputStream in = jar.getInputStream(entry)) {
            classes.put(
                name.substring(0, name.length() - ".class".length()).replace('/', '.'), read(in));
          }
        } else if (name.equals(DEFINER)) {
          try (InputStream in = jar.getInputStream(entry)) {
            definer = read(in);
          }
        }
      }
    }
    if (classes.isEmpty() || definer == null) {
      throw new IOException(agentJar + " holds no " + BRIDGE_PREFIX + " classes or no " + DEFINER);
    }
    try {
      defineInBootLoader(inst, supertypesFirst(classes), definer);
      return true;
    } catch (Exception | LinkageError e) {
      // A JVM without a usable Unsafe.defineClass: append a jar instead (the JVM then warns that
      // class-data sharing is off for the service's classes). Classes defined before the failure
      // are the same bytes as the jar's, so either copy serves.
      System.err.println(
          "deeplake-lock: could not define the bridge classes in the bootstrap class loader ("
              + e
              + "); appending them to the bootstrap class path instead");
    }
    File folder = new File(System.getProperty("java.io.tmpdir"));
    ClassInjector.UsingInstrumentation.of(
            folder, ClassInjector.UsingInstrumentation.Target.BOOTSTRAP, inst)
        .injectRaw(classes);
    return false;
  }

  /**
   * Loads {@link BootDefiner} alone into a throwaway class loader, lets (on Java 9+) only that
   * loader's unnamed module see {@code jdk.internal.misc}, and has it define {@code classes}.
   */
  private static void defineInBootLoader(
      Instrumentation inst, Map<String, byte[]> classes, byte[] definerClassFile)
      throws ReflectiveOperationException {
    Class<?> definer = new DefinerLoader().define(definerClassFile);
    Class<?> moduleType;
    try {
      moduleType = Class.forName("java.lang.Module");
    } catch (ClassNotFoundException java8) {
      moduleType = null;
    }
    if (moduleType != null) {
      Method getModule = Class.class.getMethod("getModule");
      Object javaBase = getModule.invoke(Object.class);
      Object definerModule = getModule.invoke(definer);
      Instrumentation.class
          .getMethod(
              "redefineModule", moduleType, Set.class, Map.class, Map.class, Set.class, Map.class)
          .invoke(
              inst,
              javaBase,
              Collections.emptySet(),
              Collections.singletonMap("jdk.internal.misc", Collections.singleton(definerModule)),
              Collections.emptyMap(),
              Collections.emptySet(),
              Collections.emptyMap());
    }
    String[] names = classes.keySet().toArray(new String[0]);
    byte[][] files = classes.values().toArray(new byte[0][]);
    try {
      definer.getMethod("define", String[].class, byte[][].class).invoke(null, names, files);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof ReflectiveOperationException) {
        throw (ReflectiveOperationException) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw e;
    }
  }

  /**
   * The bridge classes ordered so that each comes after its superclass and interfaces from the
   * bridge: defining a class makes the bootstrap loader resolve those at once.
   */
  static Map<String, byte[]> supertypesFirst(Map<String, byte[]> classes) {
    Map<String, byte[]> ordered = new LinkedHashMap<>();
    for (String name : classes.keySet()) {
      addAfterSupertypes(name, classes, ordered, new HashSet<String>());
    }
    return ordered;
  }

  private static void addAfterSupertypes(
      String name, Map<String, byte[]> classes, Map<String, byte[]> ordered, Set<String> path) {
    if (ordered.containsKey(name) || !classes.containsKey(name) || !path.add(name)) {
      return;
    }
    ClassReader reader = new ClassReader(classes.get(name));
    List<String> supertypes = new ArrayList<>();
    if (reader.getSuperName() != null) {
      supertypes.add(reader.getSuperName());
    }
    supertypes.addAll(Arrays.asList(reader.getInterfaces()));
    for (String supertype : supertypes) {
      addAfterSupertypes(supertype.replace('/', '.'), classes, ordered, path);
    }
    ordered.put(name, classes.get(name));
  }

  /** A class loader for {@link BootDefiner} alone; its parent is the bootstrap loader. */
  private static final class DefinerLoader extends ClassLoader {
    DefinerLoader() {
      super(null);
    }

    Class<?> define(byte[] classFile) {
      return defineClass(
          DEFINER.substring(0, DEFINER.length() - ".class".length()).replace('/', '.'),
          classFile,
          0,
          classFile.length);
    }
  }

  private static File agentJar() throws IOException {
    try {
      File file =
          new File(
              BridgeInjector.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (!file.isFile()) {
        throw new IOException(
            "the agent must run from its jar (deeplake-lock.jar), not from " + file);
      }
      return file;
    } catch (URISyntaxException | RuntimeException e) {
      throw new IOException("cannot locate the agent jar: " + e, e);
    }
  }

  private static byte[] read(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    int n;
    while ((n = in.read(buffer)) > 0) {
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }
}
