package io.deeplakelock.agent;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.net.URISyntaxException;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import net.bytebuddy.dynamic.loading.ClassInjector;

/**
 * Puts the {@code io.deeplakelock.bridge} package on the bootstrap class path, so advice inlined
 * into classes of any class loader can reach it.
 *
 * <p>Must run before anything loads a bridge class through the agent's own loader: the system class
 * loader asks the bootstrap loader first, so from then on every loader sees the one bootstrap copy.
 */
final class BridgeInjector {

  static final String BRIDGE_PREFIX = "io/deeplakelock/bridge/";

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

  static void inject(Instrumentation inst) throws IOException {
    File agentJar = agentJar();
    Map<String, byte[]> classes = new HashMap<>();
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
        }
      }
    }
    if (classes.isEmpty()) {
      throw new IOException(agentJar + " holds no " + BRIDGE_PREFIX + " classes");
    }
    File folder = new File(System.getProperty("java.io.tmpdir"));
    ClassInjector.UsingInstrumentation.of(
            folder, ClassInjector.UsingInstrumentation.Target.BOOTSTRAP, inst)
        .injectRaw(classes);
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
