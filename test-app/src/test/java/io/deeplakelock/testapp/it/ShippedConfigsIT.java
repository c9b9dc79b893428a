package io.deeplakelock.testapp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deeplakelock.testapp.dataset.Dataset;
import io.deeplakelock.testapp.demo.WorkloadJvm;
import io.deeplakelock.testapp.service.Verification;
import io.deeplakelock.testapp.service.WriterReport;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The rules files shipped in {@code config/}, unchanged, under real services: each one loads and
 * guards what it says it guards. ({@code config/deeplake-lock.yaml} is the demo's and {@code
 * bin/demo} runs it; {@code config/secure-zookeeper.yaml} needs a TLS server and is run by the
 * agent module's {@code TlsSaslIT}.)
 */
class ShippedConfigsIT extends ServiceJvmsFixture {
  private static final int WRITERS = 3;
  private static final int OPS = 40;

  @Test
  void appendOnlyConfigAcknowledgesEveryAppendAndLosesNone() throws Exception {
    // Deep Lake's append-only pattern: writers only append, under the write lock, and reload the
    // dataset after taking it (afterAcquire: this.reload(), a void method); readers take no lock.
    Path rules = shipped("append-only.yaml");
    Path dataset = dir.resolve("append-only");
    Dataset.create(dataset.toString(), 8);
    Path go = dir.resolve("go");
    List<WorkloadJvm> writers = new ArrayList<>();
    for (int i = 1; i <= WRITERS; i++) {
      writers.add(
          jvms.start(
              "w" + i,
              rules,
              "writer",
              "--dataset",
              dataset.toString(),
              "--id",
              "w" + i,
              "--ops",
              Integer.toString(OPS),
              "--go",
              go.toString(),
              "--appends-only"));
    }
    WorkloadJvm searcher =
        jvms.start(
            "searcher",
            rules,
            "searcher",
            "--dataset",
            dataset.toString(),
            "--id",
            "s1",
            "--searches",
            "40",
            "--go",
            go.toString());
    for (WorkloadJvm writer : writers) {
      ServiceJvms.awaitReady(writer);
    }
    ServiceJvms.awaitReady(searcher);
    ServiceJvms.signal(go);

    List<WriterReport> reports = new ArrayList<>();
    for (WorkloadJvm writer : writers) {
      WriterReport report = WriterReport.fromJson(ServiceJvms.awaitSuccess(writer));
      assertEquals(
          OPS,
          report.acked(),
          report.id() + " acknowledged " + report.toJson() + ServiceJvms.describe(writer));
      assertEquals(Collections.emptyMap(), report.errors(), report.id() + " errors");
      reports.add(report);
    }
    ServiceJvms.awaitSuccess(searcher);
    Verification verification = Verification.of(dataset.toString(), reports);
    assertEquals(0, verification.lost(), "rows lost: " + verification.toJson());
    assertTrue(verification.isClean(), "not clean: " + verification.toJson());
    assertEquals(WRITERS * OPS, Dataset.open(dataset.toString()).size(), "rows");
  }

  @Test
  void springStyleConfigGuardsEveryImplementationOfTheInterface() throws Exception {
    // The file's own connect default names zk1..3; DEEPLAKE_LOCK_ZK points it at the test server.
    WorkloadJvm service =
        jvms.startMain(
            "store", shipped("spring-style-service.yaml"), Map.of(), "com.acme.store.StoreService");
    Map<String, Object> heldBy = ServiceJvms.awaitSuccess(service);

    // Dataset s3://acme-ml/embeddings/ -> canonical s3://acme-ml/embeddings, percent-encoded.
    String s3 = "/datasets/s3%3A%2F%2Facme-ml%2Fembeddings";
    assertEquals(s3, heldBy.get("append"), heldBy + ServiceJvms.describe(service));
    assertEquals(s3, heldBy.get("delete"), heldBy.toString());
    assertEquals(s3, heldBy.get("updateRow"), "update* matches updateRow: " + heldBy);
    assertEquals(s3, heldBy.get("query"), heldBy.toString());
    assertEquals("-", heldBy.get("query-text"), "the other query overload is not guarded");
    assertEquals(
        "/datasets/%2Fdata%2Facme%2Fcompacted",
        heldBy.get("compact"), "@RewritesDataset on this.getDatasetUri().toString(): " + heldBy);
    // Everything under the file's namespace.
    assertTrue(server.exists("/deeplake-prod" + s3), "the lock path under namespace deeplake-prod");
  }

  private static Path shipped(String name) {
    Path file = Paths.get("..", "config", name).toAbsolutePath().normalize();
    assertTrue(file.toFile().isFile(), "missing " + file);
    return file;
  }
}
