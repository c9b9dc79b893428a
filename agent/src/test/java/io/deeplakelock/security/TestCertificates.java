package io.deeplakelock.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed key and trust stores for a TLS test, made with the JDK's {@code keytool}: a server
 * certificate for IP 127.0.0.1 only (so {@code localhost} fails hostname verification), a client
 * certificate, and a trust store for each side. Every password is random: tests look for them.
 */
final class TestCertificates {

  final Path serverKeyStore;
  final Path serverTrustStore;
  final Path clientKeyStore;
  final Path clientTrustStore;
  final String serverPassword = "srv-" + UUID.randomUUID();
  final String serverTrustPassword = "srvtrust-" + UUID.randomUUID();
  final String clientPassword = "cli-" + UUID.randomUUID();
  final String clientTrustPassword = "clitrust-" + UUID.randomUUID();

  TestCertificates(Path dir) throws IOException, InterruptedException {
    serverKeyStore = dir.resolve("server.p12");
    serverTrustStore = dir.resolve("server-trust.p12");
    clientKeyStore = dir.resolve("client.p12");
    clientTrustStore = dir.resolve("client-trust.p12");
    Path serverCert = dir.resolve("server.crt");
    Path clientCert = dir.resolve("client.crt");
    keyPair(serverKeyStore, serverPassword, "server", "CN=127.0.0.1", "-ext", "SAN=IP:127.0.0.1");
    keyPair(clientKeyStore, clientPassword, "client", "CN=deeplake-agent");
    keytool(
        "-exportcert",
        "-alias",
        "server",
        "-keystore",
        serverKeyStore.toString(),
        "-storepass",
        serverPassword,
        "-file",
        serverCert.toString());
    keytool(
        "-exportcert",
        "-alias",
        "client",
        "-keystore",
        clientKeyStore.toString(),
        "-storepass",
        clientPassword,
        "-file",
        clientCert.toString());
    trust(clientTrustStore, clientTrustPassword, "server", serverCert);
    trust(serverTrustStore, serverTrustPassword, "client", clientCert);
  }

  /** Every password, for leak checks. */
  List<String> passwords() {
    return List.of(serverPassword, serverTrustPassword, clientPassword, clientTrustPassword);
  }

  private static void keyPair(
      Path store, String password, String alias, String dname, String... extra)
      throws IOException, InterruptedException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "-genkeypair",
                "-alias",
                alias,
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                dname,
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                password));
    args.addAll(Arrays.asList(extra));
    keytool(args.toArray(new String[0]));
  }

  private static void trust(Path store, String password, String alias, Path cert)
      throws IOException, InterruptedException {
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        alias,
        "-file",
        cert.toString(),
        "-storetype",
        "PKCS12",
        "-keystore",
        store.toString(),
        "-storepass",
        password);
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(Arrays.asList(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "keytool did not finish");
    assertEquals(0, p.exitValue(), "keytool " + args[0] + " failed: " + output);
  }
}
