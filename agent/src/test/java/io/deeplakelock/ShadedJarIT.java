package io.deeplakelock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** Checks the shipped deeplake-lock.jar: Java 8 class files, everything relocated, manifest. */
class ShadedJarIT {

  static Path agentJar() {
    Path jar = Paths.get(System.getProperty("agent.jar", "target/deeplake-lock.jar"));
    assertTrue(Files.isRegularFile(jar), "build the jar first: " + jar);
    return jar;
  }

  @Test
  void everyClassRunsOnJava8() throws IOException {
    List<String> tooNew = new ArrayList<>();
    int classes = 0;
    try (JarFile jar = new JarFile(agentJar().toFile())) {
      Enumeration<JarEntry> entries = jar.entries();
      while (entries.hasMoreElements()) {
        JarEntry entry = entries.nextElement();
        if (!entry.getName().endsWith(".class")) {
          continue;
        }
        classes++;
        try (DataInputStream in = new DataInputStream(jar.getInputStream(entry))) {
          assertEquals(0xCAFEBABE, in.readInt(), entry.getName());
          in.readUnsignedShort(); // minor
          int major = in.readUnsignedShort();
          if (major > 52) {
            tooNew.add(entry.getName() + " (" + major + ")");
          }
        }
      }
    }
    assertTrue(classes > 1000, "suspiciously few classes: " + classes);
    assertEquals(List.of(), tooNew, "class files newer than Java 8 (version 52)");
  }

  @Test
  void onlyOurOwnPackagesAtTopLevel() throws IOException {
    List<String> foreign = new ArrayList<>();
    try (JarFile jar = new JarFile(agentJar().toFile())) {
      Enumeration<JarEntry> entries = jar.entries();
      while (entries.hasMoreElements()) {
        String name = entries.nextElement().getName();
        if (name.endsWith("/")) {
          continue;
        }
        boolean ours = name.startsWith("io/deeplakelock/");
        boolean meta =
            name.equals("META-INF/MANIFEST.MF")
                || name.startsWith("META-INF/licenses/")
                || name.startsWith("META-INF/services/io.deeplakelock.shaded.");
        if (!ours && !meta) {
          foreign.add(name);
        }
      }
    }
    assertEquals(List.of(), foreign, "unrelocated entries in the agent jar");
  }

  @Test
  void serviceFilesNameRelocatedProviders() throws IOException {
    try (JarFile jar = new JarFile(agentJar().toFile())) {
      JarEntry slf4j =
          jar.getJarEntry(
              "META-INF/services/io.deeplakelock.shaded.slf4j.spi.SLF4JServiceProvider");
      assertTrue(slf4j != null, "relocated SLF4J provider registration missing");
      try (InputStream in = jar.getInputStream(slf4j)) {
        String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals("io.deeplakelock.log.StderrServiceProvider", text.trim());
      }
    }
  }

  @Test
  void manifestDeclaresAgentAndCommandLine() throws IOException {
    try (JarFile jar = new JarFile(agentJar().toFile())) {
      Attributes main = jar.getManifest().getMainAttributes();
      assertEquals("io.deeplakelock.agent.LockAgent", main.getValue("Premain-Class"));
      assertEquals("io.deeplakelock.agent.LockAgent", main.getValue("Agent-Class"));
      assertEquals("io.deeplakelock.cli.Main", main.getValue("Main-Class"));
      assertEquals("true", main.getValue("Can-Retransform-Classes"));
      assertEquals("true", main.getValue("Can-Redefine-Classes"));
      assertTrue(main.getValue("Implementation-Version") != null, "Implementation-Version");
    }
  }
}
