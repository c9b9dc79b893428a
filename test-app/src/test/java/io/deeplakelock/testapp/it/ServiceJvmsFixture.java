package io.deeplakelock.testapp.it;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every multi-process IT here starts with: one ZooKeeper per test class, and per test a
 * directory and the child JVMs it starts (killed after the test if still running).
 */
abstract class ServiceJvmsFixture {

  static LockServer server;

  @TempDir Path dir;
  ServiceJvms jvms;

  @BeforeAll
  static void startServer() throws Exception {
    server = LockServer.start(Duration.ofSeconds(30));
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  @BeforeEach
  void startJvms() throws Exception {
    jvms = new ServiceJvms(server.connectString(), dir);
  }

  @AfterEach
  void stopJvms() {
    jvms.close();
  }
}
