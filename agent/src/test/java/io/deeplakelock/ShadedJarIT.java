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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * Checks the shipped deeplake-lock.jar: its size, Java 8 class files, everything relocated, the
 * bundled libraries' licence files, manifest.
 */
class ShadedJarIT {

  /** Issue 13: the jar is at most 8 MB (decimal megabytes, as the issue measures it). */
  static final long MAX_JAR_BYTES = 8_000_000;

  /**
   * Every library bundled in the jar, by the relocated package it lives in, and the folder under
   * META-INF/licenses/ that holds its licence. The flag says whether the library publishes a NOTICE
   * file (Apache-2.0 section 4(d) asks a redistribution to carry it); SLF4J (MIT), Guava and
   * snakeyaml-engine publish none. A relocated package missing here fails the test: a new bundled
   * library must bring its licence files.
   */
  private static final Map<String, Licence> LIBRARIES = new LinkedHashMap<>();

  static {
    LIBRARIES.put("io/deeplakelock/shaded/bytebuddy/", new Licence("byte-buddy", true));
    LIBRARIES.put("io/deeplakelock/shaded/curator/shaded/com/google/", new Licence("guava", false));
    LIBRARIES.put("io/deeplakelock/shaded/curator/", new Licence("curator", true));
    LIBRARIES.put("io/deeplakelock/shaded/zookeeper/", new Licence("zookeeper", true));
    LIBRARIES.put("io/deeplakelock/shaded/jute/", new Licence("zookeeper", true));
    LIBRARIES.put("io/deeplakelock/shaded/netty/", new Licence("netty", true));
    LIBRARIES.put("io/deeplakelock/shaded/snakeyaml/", new Licence("snakeyaml-engine", false));
    LIBRARIES.put("io/deeplakelock/shaded/slf4j/", new Licence("slf4j", false));
    LIBRARIES.put("io/deeplakelock/shaded/yetus/", new Licence("audience-annotations", true));
  }

  private static final class Licence {
    final String folder;
    final boolean hasNotice;

    Licence(String folder, boolean hasNotice) {
      this.folder = folder;
      this.hasNotice = hasNotice;
    }
  }

  static Path agentJar() {
    Path jar = Paths.get(System.getProperty("agent.jar", "target/deeplake-lock.jar"));
    assertTrue(Files.isRegularFile(jar), "build the jar first: " + jar);
    return jar;
  }

  @Test
  void atMostEightMegabytes() throws IOException {
    long size = Files.size(agentJar());
    assertTrue(
        size <= MAX_JAR_BYTES,
        "deeplake-lock.jar is " + size + " bytes, more than " + MAX_JAR_BYTES + " (issue 13)");
  }

  @Test
  void everyBundledLibraryCarriesItsLicenceAndNotice() throws IOException {
    TreeSet<String> needed = new TreeSet<>();
    List<String> unknown = new ArrayList<>();
    Map<String, Licence> byFolder = new LinkedHashMap<>();
    try (JarFile jar = new JarFile(agentJar().toFile())) {
      Enumeration<JarEntry> entries = jar.entries();
      while (entries.hasMoreElements()) {
        String name = entries.nextElement().getName();
        if (!name.startsWith("io/deeplakelock/shaded/") || !name.endsWith(".class")) {
          continue;
        }
        Licence licence = null;
        for (Map.Entry<String, Licence> library : LIBRARIES.entrySet()) {
          if (name.startsWith(library.getKey())) {
            licence = library.getValue();
            break;
          }
        }
        if (licence == null) {
          unknown.add(name);
        } else {
          needed.add(licence.folder);
          byFolder.put(licence.folder, licence);
        }
      }
      assertEquals(List.of(), unknown, "bundled classes of a library with no licence entry");
      assertTrue(
          needed.containsAll(
              List.of("byte-buddy", "curator", "guava", "zookeeper", "netty", "snakeyaml-engine")),
          "expected libraries not bundled: " + needed);
      List<String> missing = new ArrayList<>();
      for (String folder : needed) {
        List<String> files = new ArrayList<>(List.of("LICENSE"));
        if (byFolder.get(folder).hasNotice) {
          files.add("NOTICE");
        }
        for (String file : files) {
          JarEntry entry = jar.getJarEntry("META-INF/licenses/" + folder + "/" + file);
          if (entry == null || entry.getSize() < 100) {
            missing.add("META-INF/licenses/" + folder + "/" + file);
          }
        }
      }
      assertEquals(List.of(), missing, "licence files missing or empty");
      // Netty's NOTICE points at the licences of the code it includes, in its license/ folder.
      assertTrue(
          jar.getJarEntry("META-INF/licenses/netty/license/LICENSE.jctools.txt") != null,
          "Netty's third-party licences");
      assertTrue(
          jar.getJarEntry("META-INF/licenses/byte-buddy/LICENSE.ASM") != null,
          "ASM's licence (inside ByteBuddy)");
    }
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
