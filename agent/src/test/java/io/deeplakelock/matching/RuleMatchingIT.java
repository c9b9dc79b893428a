package io.deeplakelock.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.matching.sample.ProbeMain;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way a rule selects methods, end to end: {@link ProbeMain} runs once under the built agent
 * against a real ZooKeeper, each sample method reports the lock its body ran under, and each test
 * here checks the calls of one selector. A control run without the agent shows the same calls
 * unlocked, so a test here can fail.
 */
class RuleMatchingIT {

  private static final String SAMPLE = "io.deeplakelock.matching.sample.";
  private static final String RUNTIME_STORE = "io.deeplakelock.matching.generated.RuntimeStore";

  @TempDir static Path dir;

  private static TestingServer zooKeeper;
  private static ServiceRun guarded;
  private static ServiceRun plain;

  @BeforeAll
  static void runSampleServiceWithAndWithoutAgent() throws Exception {
    zooKeeper = new TestingServer();
    Path lateClasses = compileRuntimeStore(dir.resolve("late-classes"));
    Path rules = dir.resolve("matching.yaml");
    Files.write(rules, rulesFile(zooKeeper.getConnectString()).getBytes(StandardCharsets.UTF_8));
    guarded = ServiceRun.run(dir, rules, ProbeMain.class, lateClasses.toString(), RUNTIME_STORE);
    plain = ServiceRun.run(dir, null, ProbeMain.class, lateClasses.toString(), RUNTIME_STORE);
  }

  @AfterAll
  static void stopZooKeeper() throws IOException {
    if (zooKeeper != null) {
      zooKeeper.close();
    }
  }

  /** One rule per selector; {@code @sample.} stands for the samples' package. */
  private static String rulesFile(String connect) {
    return """
        zookeeper:
          connect: "%s"
          sessionTimeout: 10s
          connectionTimeout: 10s
        locks:
          timeout: 20s
        rules:
          - name: star-glob
            class: @sample.store.*Dataset
            methods: [write]
            lock: write
            dataset: /ds/star-glob
          - name: package-glob
            class: @sample.deep..*
            methods: [save]
            lock: write
            dataset: /ds/package-glob
          - name: store-subtypes
            subtypesOf: @sample.subtype.Store
            methods: [put]
            lock: write
            dataset: /ds/store
          - name: repository-subtypes
            subtypesOf: @sample.base.BaseRepository
            methods: [remove, flush]
            lock: write
            dataset: /ds/repository
          - name: guarded-annotation
            annotatedWith: @sample.annotated.Guarded
            lock: write
            dataset: /ds/annotated
          - name: mutating-inventory
            class: @sample.annotated.Inventory
            annotatedWith: @sample.annotated.Mutating
            methods: [add, list]
            lock: write
            dataset: /ds/inventory
          - name: codec-overloads
            class: @sample.overload.Codec
            methods: ["encode(java.lang.String,byte[])", "decode(String)", "tag(java.lang.String...)"]
            lock: read
            dataset: /ds/codec
          - name: static-create
            class: @sample.statics.Datasets
            methods: [create]
            lock: write
            dataset: arg0
          - name: delete-glob
            class: @sample.glob.Table
            methods: ["delete*"]
            lock: write
            dataset: /ds/table
          - name: every-widget-method
            class: @sample.ctor.Widget
            methods: ["*"]
            lock: write
            dataset: /ds/widget
          - name: late-loaded
            class: @sample.later.LateLoaded
            methods: [run]
            lock: read
            dataset: /ds/late
        """
        .formatted(connect)
        .replace("@sample.", SAMPLE);
  }

  /**
   * Compiles a {@code Store} implementation into a directory that is not on the child's class path,
   * so the child can only define it later, through a class loader of its own.
   */
  private static Path compileRuntimeStore(Path out) throws IOException {
    Path src = out.resolveSibling("late-src").resolve("RuntimeStore.java");
    Files.createDirectories(src.getParent());
    Files.createDirectories(out);
    Files.write(
        src,
        ("package io.deeplakelock.matching.generated;\n"
                + "public class RuntimeStore implements "
                + SAMPLE
                + "subtype.Store {\n"
                + "  public String put(String key) { return "
                + SAMPLE
                + "Probe.held(); }\n"
                + "  public String get(String key) { return "
                + SAMPLE
                + "Probe.held(); }\n"
                + "}\n")
            .getBytes(StandardCharsets.UTF_8));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertNotNull(javac, "the tests need a JDK, not a JRE");
    StringWriter messages = new StringWriter();
    boolean ok =
        javac
            .getTask(
                messages,
                null,
                null,
                Arrays.asList(
                    "-d",
                    out.toString(),
                    "-cp",
                    ServiceRun.testClasses().toString(),
                    "--release",
                    "17",
                    "-proc:none"),
                null,
                javac
                    .getStandardFileManager(null, null, StandardCharsets.UTF_8)
                    .getJavaFileObjects(src.toFile()))
            .call();
    assertTrue(ok, "cannot compile " + src + ":\n" + messages);
    return out;
  }

  private static void assertSaw(String expected, String label) {
    assertEquals(expected, guarded.result(label), label + "\n" + guarded);
  }

  @Test
  void serviceRunsToTheEndUnderTheAgentWithoutTransformErrors() {
    assertEquals(0, guarded.exit, guarded.toString());
    assertTrue(guarded.stdout.endsWith("DONE\n"), guarded.toString());
    assertFalse(guarded.stdout.contains(" -> threw "), guarded.toString());
    assertFalse(guarded.stderr.contains("could not instrument"), guarded.toString());
    assertTrue(guarded.stderr.contains("deeplake-lock "), "no start-up line\n" + guarded);
  }

  @Test
  void withoutTheAgentNoCallHoldsALock() {
    assertEquals(0, plain.exit, plain.toString());
    Map<String, String> results = plain.results();
    assertEquals(guarded.results().keySet(), results.keySet(), plain.toString());
    for (Map.Entry<String, String> e : results.entrySet()) {
      if (!e.getKey().equals("runtime Store loader")) {
        assertEquals("unlocked", e.getValue(), e.getKey());
      }
    }
  }

  @Test
  void starGlobMatchesNamesInOnePackageLevelOnly() {
    assertSaw("WRITE /ds/star-glob", "VectorDataset.write");
    assertSaw("unlocked", "VectorDataset.read");
    assertSaw("unlocked", "DatasetIndex.write");
    assertSaw("unlocked", "NestedDataset.write");
  }

  @Test
  void doubleDotGlobMatchesThePackageAndAllSubPackages() {
    assertSaw("WRITE /ds/package-glob", "deep.Top.save");
    assertSaw("WRITE /ds/package-glob", "deep.a.b.Leaf.save");
    assertSaw("unlocked", "deeper.Neighbour.save");
  }

  @Test
  void subtypesOfInterfaceGuardsDirectIndirectAndAnonymousImplementations() {
    assertSaw("WRITE /ds/store", "FileStore.put");
    assertSaw("WRITE /ds/store", "SubStoreImpl.put");
    assertSaw("WRITE /ds/store", "anonymous Store.put");
    assertSaw("unlocked", "FileStore.get");
    assertSaw("unlocked", "NotAStore.put");
  }

  @Test
  void subtypesOfGuardsAClassDefinedAfterStartupByAnotherClassLoader() {
    assertSaw("the new loader", "runtime Store loader");
    assertSaw("WRITE /ds/store", "runtime Store.put");
    assertSaw("unlocked", "runtime Store.get");
  }

  @Test
  void subtypesOfAbstractClassGuardsImplementationsAndInheritedConcreteMethod() {
    assertSaw("WRITE /ds/repository", "UserRepository.remove");
    assertSaw("WRITE /ds/repository", "UserRepository.flush (inherited)");
    assertSaw("WRITE /ds/repository", "anonymous BaseRepository.remove");
  }

  @Test
  void interfaceAndAbstractMethodsAreNeverInstrumented() {
    Map<String, String> instrumented = guarded.instrumented();
    for (String method : instrumented.keySet()) {
      assertFalse(method.startsWith(SAMPLE + "subtype.Store."), method);
      assertFalse(method.startsWith(SAMPLE + "subtype.SubStore."), method);
      assertFalse(method.startsWith(SAMPLE + "base.BaseRepository.remove("), method);
    }
    assertEquals(
        "repository-subtypes",
        instrumented.get(SAMPLE + "base.BaseRepository.flush()Ljava/lang/String;"),
        instrumented.toString());
  }

  @Test
  void annotatedWithAloneSelectsAnnotatedClassesAndAnnotatedMethods() {
    assertSaw("WRITE /ds/annotated", "GuardedLedger.post");
    assertSaw("WRITE /ds/annotated", "GuardedLedger.audit");
    assertSaw("WRITE /ds/annotated", "MixedLedger.post");
    assertSaw("unlocked", "MixedLedger.peek");
    assertSaw("unlocked", "PlainLedger.post");
  }

  @Test
  void annotatedWithNarrowsTheMethodsOfAClassRule() {
    assertSaw("WRITE /ds/inventory", "Inventory.add");
    assertSaw("unlocked", "Inventory.list"); // named, but not annotated
    assertSaw("unlocked", "Inventory.drop"); // annotated, but not named
  }

  @Test
  void parameterTypesPickOneOverload() {
    assertSaw("READ /ds/codec", "Codec.encode(String,byte[])");
    assertSaw("unlocked", "Codec.encode(String)");
    assertSaw("unlocked", "Codec.encode(String,int[])");
    assertSaw("READ /ds/codec", "Codec.decode(String)");
    assertSaw("unlocked", "Codec.decode(byte[])");
    assertSaw("READ /ds/codec", "Codec.tag(String...)");
    assertSaw("unlocked", "Codec.tag(String)");
  }

  @Test
  void staticMethodsTakeTheirDatasetFromAnArgument() {
    assertSaw("WRITE /ds/static-made", "Datasets.create(String)");
    assertSaw("WRITE /ds/static-sharded", "Datasets.create(String,int)");
  }

  @Test
  void methodGlobMatchesEveryNameWithThePrefix() {
    assertSaw("WRITE /ds/table", "Table.delete");
    assertSaw("WRITE /ds/table", "Table.deleteRow");
    assertSaw("WRITE /ds/table", "Table.deleteAll");
    assertSaw("unlocked", "Table.undelete");
    assertSaw("unlocked", "Table.isDeleted");
  }

  @Test
  void constructorsInitialisersAndLambdaBodiesAreNeverGuarded() {
    assertSaw("WRITE /ds/widget", "Widget.spin"); // the rule is in force
    assertSaw("unlocked", "Widget.<clinit>");
    assertSaw("unlocked", "Widget.<init>");
    assertSaw("unlocked", "Widget lambda body");
  }

  @Test
  void classLoadedByNameLateInMainIsGuarded() {
    assertSaw("READ /ds/late", "LateLoaded.run");
  }

  @Test
  void debugLogListsExactlyTheGuardedMethods() {
    Map<String, String> expected = new TreeMap<>();
    String string = "Ljava/lang/String;";
    expected.put(SAMPLE + "store.VectorDataset.write(" + string + ")" + string, "star-glob");
    expected.put(SAMPLE + "deep.Top.save()" + string, "package-glob");
    expected.put(SAMPLE + "deep.a.b.Leaf.save()" + string, "package-glob");
    expected.put(SAMPLE + "subtype.FileStore.put(" + string + ")" + string, "store-subtypes");
    expected.put(SAMPLE + "subtype.SubStoreImpl.put(" + string + ")" + string, "store-subtypes");
    expected.put(SAMPLE + "ProbeMain$1.put(" + string + ")" + string, "store-subtypes");
    expected.put(RUNTIME_STORE + ".put(" + string + ")" + string, "store-subtypes");
    expected.put(SAMPLE + "base.BaseRepository.flush()" + string, "repository-subtypes");
    expected.put(
        SAMPLE + "base.UserRepository.remove(" + string + ")" + string, "repository-subtypes");
    expected.put(SAMPLE + "ProbeMain$2.remove(" + string + ")" + string, "repository-subtypes");
    expected.put(SAMPLE + "annotated.GuardedLedger.post()" + string, "guarded-annotation");
    expected.put(SAMPLE + "annotated.GuardedLedger.audit()" + string, "guarded-annotation");
    expected.put(SAMPLE + "annotated.MixedLedger.post()" + string, "guarded-annotation");
    expected.put(SAMPLE + "annotated.Inventory.add(" + string + ")" + string, "mutating-inventory");
    expected.put(SAMPLE + "overload.Codec.encode(" + string + "[B)" + string, "codec-overloads");
    expected.put(SAMPLE + "overload.Codec.decode(" + string + ")" + string, "codec-overloads");
    expected.put(SAMPLE + "overload.Codec.tag([" + string + ")" + string, "codec-overloads");
    expected.put(SAMPLE + "statics.Datasets.create(" + string + ")" + string, "static-create");
    expected.put(SAMPLE + "statics.Datasets.create(" + string + "I)" + string, "static-create");
    expected.put(SAMPLE + "glob.Table.delete()" + string, "delete-glob");
    expected.put(SAMPLE + "glob.Table.deleteRow(J)" + string, "delete-glob");
    expected.put(SAMPLE + "glob.Table.deleteAll()" + string, "delete-glob");
    expected.put(SAMPLE + "ctor.Widget.spin()" + string, "every-widget-method");
    expected.put(
        SAMPLE + "ctor.Widget.probe()Ljava/util/function/Supplier;", "every-widget-method");
    expected.put(SAMPLE + "later.LateLoaded.run()" + string, "late-loaded");
    assertEquals(expected, new TreeMap<>(guarded.instrumented()), guarded.toString());
  }
}
