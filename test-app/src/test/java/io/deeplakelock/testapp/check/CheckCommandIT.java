package io.deeplakelock.testapp.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertLinesMatch;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.testsupport.AgentJar;
import io.deeplakelock.testsupport.ChildJvm;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar deeplake-lock.jar check}, run as an operator would against the built test-app
 * jar: exact output lines and exit status for the shipped rules, a file with one mistake per rule,
 * an invalid file, and the help, version and usage paths.
 */
class CheckCommandIT {

  private static final String DATASET = "io.deeplakelock.testapp.dataset.Dataset";

  /**
   * The class count line, as a pattern: every class file of the jar is scanned (and, today, also
   * package-info files below the top level).
   */
  private static final String SCANNED = "scanned \\d+ class\\(es\\)";

  private static final String POLICY =
      "[timeout=30s onTimeout=fail readLocks=true onLockLost=throw]";

  @TempDir Path dir;

  @Test
  void shippedRulesGuardTheDatasetMethodsOfTheTestApp() throws Exception {
    String config = "../config/deeplake-lock.yaml";
    String text = read(moduleDir().resolve(config));

    Result r = check("--config", config, "--classpath", "target/test-app.jar");

    assertEquals(0, r.exit, r.toString());
    assertEquals("", r.stderr, r.toString());
    assertLinesMatch(shippedRulesOutput(config, text), r.stdoutLines(), r.toString());
  }

  @Test
  void springBootExecutableJarIsReadThroughBootInfClassesAndNestedLibJars() throws Exception {
    // The layout of spring-boot-maven-plugin's repackaged jar: the application's own classes
    // under BOOT-INF/classes, each dependency a stored jar under BOOT-INF/lib, the loader on top.
    Path app = dir.resolve("app.jar");
    Map<String, byte[]> entries = new TreeMap<>();
    entries.put(
        "org/springframework/boot/loader/launch/JarLauncher.class",
        classBytes("io/deeplakelock/testapp/dataset/Hit.class"));
    entries.putAll(testAppClasses("BOOT-INF/classes/", "io/deeplakelock/testapp/service/"));
    entries.put(
        "BOOT-INF/lib/dataset-lib-1.0.jar",
        jarBytes(testAppClasses("", "io/deeplakelock/testapp/dataset/")));
    entries.put("BOOT-INF/lib/other-2.0.jar", jarBytes(Map.of("README.txt", new byte[1])));
    Files.write(app, jarBytes(entries));
    String config = "../config/deeplake-lock.yaml";

    Result r = check("--config", config, "--classpath", app.toString());

    assertEquals(0, r.exit, r.toString());
    assertEquals("", r.stderr, r.toString());
    assertLinesMatch(
        shippedRulesOutput(config, read(moduleDir().resolve(config))),
        r.stdoutLines(),
        r.toString());
  }

  @Test
  void warIsReadThroughWebInfClassesAndLib() throws Exception {
    Path war = dir.resolve("app.war");
    Map<String, byte[]> entries = new TreeMap<>();
    entries.put("index.html", "<html/>".getBytes(StandardCharsets.UTF_8));
    entries.put("WEB-INF/web.xml", "<web-app/>".getBytes(StandardCharsets.UTF_8));
    entries.putAll(testAppClasses("WEB-INF/classes/", "io/deeplakelock/testapp/dataset/"));
    entries.put(
        "WEB-INF/lib/service.jar",
        jarBytes(testAppClasses("", "io/deeplakelock/testapp/service/")));
    Files.write(war, jarBytes(entries));
    String config = "../config/deeplake-lock.yaml";

    Result r = check("--config", config, "--classpath", war.toString());

    assertEquals(0, r.exit, r.toString());
    assertEquals("", r.stderr, r.toString());
    assertLinesMatch(
        shippedRulesOutput(config, read(moduleDir().resolve(config))),
        r.stdoutLines(),
        r.toString());
  }

  @Test
  void wildcardEntriesReadEveryJarOfAFolderAsJavaCpDoes() throws Exception {
    // The README's own form, lib/*.jar:app.jar, and java -cp's lib/*.
    Path lib = Files.createDirectories(dir.resolve("lib"));
    Files.write(
        lib.resolve("dataset-lib.jar"),
        jarBytes(testAppClasses("", "io/deeplakelock/testapp/dataset/")));
    Files.write(lib.resolve("notes.txt"), new byte[] {'x'});
    Path app = dir.resolve("app.jar");
    Files.write(app, jarBytes(testAppClasses("", "io/deeplakelock/testapp/service/")));
    String text = read(moduleDir().resolve("../config/deeplake-lock.yaml"));
    write("rules.yaml", text);
    List<String> expected = shippedRulesOutput("rules.yaml", text);

    for (String classPath :
        List.of(
            lib + "/*.jar" + File.pathSeparator + app,
            lib + "/*" + File.pathSeparator + app,
            "*.jar" + File.pathSeparator + lib + "/dataset-*.jar")) {
      Result r = checkIn(dir, "--config", "rules.yaml", "--classpath", classPath);

      assertEquals(0, r.exit, classPath + ": " + r);
      assertEquals("", r.stderr, r.toString());
      assertLinesMatch(expected, r.stdoutLines(), classPath + ": " + r);
    }
  }

  @Test
  void usageErrorsHaveTheirOwnExitStatusAndMessage() throws Exception {
    String config = "../config/deeplake-lock.yaml";

    Result missing =
        check("--config", config, "--classpath", "lib/*.jar" + File.pathSeparator + "app.jar");
    assertEquals(64, missing.exit, missing.toString());
    assertEquals("", missing.stdout, missing.toString());
    assertEquals(
        "deeplake-lock check: class path entry lib/*.jar: directory lib does not exist",
        missing.stderrLines().get(0),
        missing.toString());
    assertTrue(
        missing.stderr.contains("usage: java -jar deeplake-lock.jar check"), missing.toString());

    Result unknown = check("--config", config, "--class-path", "x");
    assertEquals(64, unknown.exit, unknown.toString());
    assertEquals(
        "deeplake-lock check: unexpected argument '--class-path'",
        unknown.stderrLines().get(0),
        unknown.toString());
  }

  /** What check prints for the shipped rules on the test-app's classes. */
  private static List<String> shippedRulesOutput(String config, String text) {
    return List.of(
        config + ": valid, 4 rule(s); ZooKeeper 127.0.0.1:2181, lock root /deeplake",
        SCANNED,
        ruleLine(config, text, "dataset-writes", "write lock on this.path"),
        "  guards " + DATASET + ".append(java.lang.String,java.lang.String,float[])",
        "  guards " + DATASET + ".update(long,java.lang.String,java.lang.String,float[])",
        "  guards " + DATASET + ".delete(long)",
        ruleLine(config, text, "dataset-create", "write lock on arg0"),
        "  guards " + DATASET + ".create(java.lang.String,int) static",
        "  guards " + DATASET + ".create(java.lang.String,int,int) static",
        ruleLine(config, text, "dataset-reads", "read lock on this.path"),
        "  guards " + DATASET + ".get(long)",
        "  guards " + DATASET + ".size()",
        "  guards " + DATASET + ".search(float[],int)",
        ruleLine(config, text, "dataset-open", "read lock on arg0"),
        "  guards " + DATASET + ".open(java.lang.String) static",
        "result: 4 rule(s) ok, 0 matching nothing, 0 unresolvable, 0 conflict(s)");
  }

  @Test
  void appendOnlyRulesResolveTheirVoidAfterAcquire() throws Exception {
    // afterAcquire: this.reload() returns void; check and the agent both accept it (the agent
    // once refused every call for it while check said "ok").
    String config = "../config/append-only.yaml";
    String text = read(moduleDir().resolve(config));

    Result r = check("--config", config, "--classpath", "target/test-app.jar");

    assertEquals(0, r.exit, r.toString());
    String appendOnly = "[timeout=30s onTimeout=fail readLocks=false onLockLost=throw";
    assertLinesMatch(
        List.of(
            config + ": valid, 2 rule(s); ZooKeeper 127.0.0.1:2181, lock root /deeplake",
            SCANNED,
            ruleLine(config, text, "appends", "write lock on this.path")
                .replace(POLICY, appendOnly + " afterAcquire=this.reload()]"),
            "  guards " + DATASET + ".append(java.lang.String,java.lang.String,float[])",
            ruleLine(config, text, "reads", "read lock on this.path")
                .replace(POLICY, appendOnly + "]"),
            "  guards " + DATASET + ".get(long)",
            "  guards " + DATASET + ".size()",
            "  guards " + DATASET + ".search(float[],int)",
            "result: 2 rule(s) ok, 0 matching nothing, 0 unresolvable, 0 conflict(s)"),
        r.stdoutLines(),
        r.toString());
  }

  @Test
  void deadAndUnresolvableRulesAreListedWithExitStatusOne() throws Exception {
    String text =
        """
        # One mistake per rule.
        zookeeper:
          connect: 127.0.0.1:2181
        rules:
          - name: misspelt-class
            class: io.deeplakelock.testapp.dataset.Datset
            methods: [append]
            lock: write
            dataset: this.path
          - name: argument-out-of-range
            class: io.deeplakelock.testapp.dataset.Dataset
            methods: [delete]
            lock: write
            dataset: arg3
          - name: missing-field
            class: io.deeplakelock.testapp.dataset.Dataset
            methods: [size]
            lock: read
            dataset: this.location
          - name: missing-after-acquire
            class: io.deeplakelock.testapp.dataset.Dataset
            methods: [search]
            lock: read
            dataset: this.path
            afterAcquire: this.refresh()
        """;
    String config = write("broken.yaml", text);

    Result r = check("--config", config, "--classpath", "target/test-app.jar");

    assertEquals(1, r.exit, r.toString());
    assertEquals("", r.stderr, r.toString());
    assertLinesMatch(
        List.of(
            config + ": valid, 4 rule(s); ZooKeeper 127.0.0.1:2181, lock root /deeplake",
            SCANNED,
            ruleLine(config, text, "misspelt-class", "write lock on this.path"),
            "  MATCHES NOTHING: no class on the class path matches"
                + " io.deeplakelock.testapp.dataset.Datset with methods [append]",
            ruleLine(config, text, "argument-out-of-range", "write lock on arg3"),
            "  UNRESOLVED "
                + DATASET
                + ".delete(long): dataset 'arg3': arg3 is out of range: the method takes 1"
                + " argument(s)",
            ruleLine(config, text, "missing-field", "read lock on this.location"),
            "  UNRESOLVED "
                + DATASET
                + ".size(): dataset 'this.location': no instance field 'location' in "
                + DATASET,
            ruleLine(config, text, "missing-after-acquire", "read lock on this.path")
                .replace("]", " afterAcquire=this.refresh()]"),
            "  UNRESOLVED "
                + DATASET
                + ".search(float[],int): afterAcquire 'this.refresh()': no method refresh()"
                + " without parameters in "
                + DATASET,
            "result: 0 rule(s) ok, 1 matching nothing, 3 unresolvable, 0 conflict(s)"),
        r.stdoutLines(),
        r.toString());
  }

  @Test
  void invalidFileGivesEveryProblemAtItsPositionWithExitStatusTwo() throws Exception {
    String text =
        """
        zookeeper:
          connect: 127.0.0.1:2181
        rules:
          - name: writes
            class: io.deeplakelock.testapp.dataset.Dataset
            methods: [append]
            lock: exclusive
            timeout: 5 seconds
            dataset: this.path
        """;
    String config = write("invalid.yaml", text);

    Result r = check("--config", config, "--classpath", "target/test-app.jar");

    assertEquals(2, r.exit, r.toString());
    assertEquals("", r.stdout, r.toString());
    assertEquals(
        List.of(
            position(config, text, "exclusive")
                + ": 'exclusive' is not allowed here; write one of: read, write",
            position(config, text, "5 seconds")
                + ": '5 seconds' is not a duration; write a whole number with a unit: 500ms, 30s,"
                + " 2m, 1h"),
        r.stderrLines(),
        r.toString());
  }

  @Test
  void missingRulesFileIsReportedAsFileLineColumn() throws Exception {
    String config = dir.resolve("absent.yaml").toString();

    Result r = check("--config", config);

    assertEquals(2, r.exit, r.toString());
    assertEquals("", r.stdout, r.toString());
    assertEquals(List.of(config + ":1:1: no such file"), r.stderrLines());
  }

  @Test
  void checkHelpPrintsUsageAndExitsZero() throws Exception {
    Result r = check("--help");

    assertEquals(0, r.exit, r.toString());
    assertEquals("", r.stderr, r.toString());
    assertEquals(
        "usage: java -jar deeplake-lock.jar check --config FILE [--classpath CP]",
        r.stdoutLines().get(0));
    assertTrue(r.stdout.contains("Exit status: 0 all rules guard something"), r.toString());
  }

  @Test
  void checkWithoutConfigPrintsUsageAndExitsWithTheUsageStatus() throws Exception {
    Result r = check("--classpath", "target/test-app.jar");

    assertEquals(64, r.exit, r.toString());
    assertEquals("", r.stdout, r.toString());
    assertEquals(
        "usage: java -jar deeplake-lock.jar check --config FILE [--classpath CP]",
        r.stderrLines().get(0));
  }

  @Test
  void versionPrintsTheJarsImplementationVersion() throws Exception {
    String version;
    try (JarFile jar = new JarFile(AgentJar.path().toFile())) {
      version =
          jar.getManifest().getMainAttributes().getValue(Attributes.Name.IMPLEMENTATION_VERSION);
    }

    Result r = run("--version");

    assertEquals(0, r.exit, r.toString());
    assertEquals("", r.stderr, r.toString());
    assertEquals(List.of("deeplake-lock " + version), r.stdoutLines());
  }

  // ---- helpers ------------------------------------------------------------------------------

  /** The test-app's class files under {@code pkg}, as jar entries under {@code prefix}. */
  private static Map<String, byte[]> testAppClasses(String prefix, String pkg) throws IOException {
    Path classes = moduleDir().resolve("target/classes");
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(classes.resolve(pkg))) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        out.put(
            prefix + classes.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
      }
    }
    assertTrue(out.size() > 3, "no classes under " + classes.resolve(pkg));
    return out;
  }

  private static byte[] classBytes(String file) throws IOException {
    return Files.readAllBytes(moduleDir().resolve("target/classes").resolve(file));
  }

  /** A jar of {@code entries}; nested jars are stored uncompressed, as Spring Boot stores them. */
  private static byte[] jarBytes(Map<String, byte[]> entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JarOutputStream jar = new JarOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        JarEntry entry = new JarEntry(e.getKey());
        if (e.getKey().endsWith(".jar")) {
          CRC32 crc = new CRC32();
          crc.update(e.getValue());
          entry.setMethod(ZipEntry.STORED);
          entry.setSize(e.getValue().length);
          entry.setCrc(crc.getValue());
        }
        jar.putNextEntry(entry);
        jar.write(e.getValue());
        jar.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  private static String ruleLine(String config, String text, String name, String lock) {
    return "rule '"
        + name
        + "' ("
        + position(config, text, "name: " + name)
        + "): "
        + lock
        + " "
        + POLICY;
  }

  /** {@code file:line:col} of the first {@code needle} in {@code text}, as check prints it. */
  private static String position(String file, String text, String needle) {
    int offset = text.indexOf(needle);
    assertTrue(offset >= 0, "'" + needle + "' is not in " + file);
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < offset; i++) {
      if (text.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    return file + ":" + line + ":" + (offset - lineStart + 1);
  }

  private String write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, text.getBytes(StandardCharsets.UTF_8));
    return file.toString();
  }

  private static String read(Path file) throws IOException {
    return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
  }

  private static Path moduleDir() {
    return Paths.get(System.getProperty("basedir", "")).toAbsolutePath();
  }

  private Result check(String... args) throws IOException, InterruptedException {
    List<String> all = new ArrayList<>();
    all.add("check");
    all.addAll(Arrays.asList(args));
    return run(all.toArray(new String[0]));
  }

  /** Runs {@code java -jar ../agent/target/deeplake-lock.jar ARGS} in the module directory. */
  private Result run(String... args) throws IOException, InterruptedException {
    return runIn(moduleDir(), args);
  }

  /** Runs {@code check ARGS} in {@code workDir}. */
  private Result checkIn(Path workDir, String... args) throws IOException, InterruptedException {
    List<String> all = new ArrayList<>();
    all.add("check");
    all.addAll(Arrays.asList(args));
    return runIn(workDir, all.toArray(new String[0]));
  }

  private Result runIn(Path workDir, String... args) throws IOException, InterruptedException {
    return new Result(
        ChildJvm.named("check")
            .keepClassDataSharing()
            .launch(List.of("-jar", AgentJar.path().toString()), args)
            .directory(workDir)
            .logsIn(Files.createTempDirectory(dir, "check"))
            // The shipped rules read their ZooKeeper from here; check must print the default.
            .unsetEnv("DEEPLAKE_LOCK_ZK")
            .run(Duration.ofSeconds(60)));
  }

  private static final class Result {
    final int exit;
    final String stdout;
    final String stderr;

    private final ChildJvm.Finished run;

    Result(ChildJvm.Finished run) {
      this.run = run;
      this.exit = run.exit;
      this.stdout = run.stdout;
      this.stderr = run.stderr;
    }

    List<String> stdoutLines() {
      return lines(stdout);
    }

    List<String> stderrLines() {
      return lines(stderr);
    }

    private static List<String> lines(String text) {
      return text.isEmpty() ? List.of() : Arrays.asList(text.split("\n"));
    }

    @Override
    public String toString() {
      return run.toString();
    }
  }
}
