package io.deeplakelock.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Unit tests for {@link SecuritySection}: the auth, acl and tls keys of the zookeeper section. */
class SecuritySectionTest extends RuleFileFixture {

  @Test
  void withoutAuthTheClientIsAnonymousWithOpenAcls() throws RuleFileException {
    assertEquals(ZooKeeperSecurity.NONE, parse(MINIMAL).security());
  }

  @Test
  void digestAuthReadsItsCredentialsFromTheEnvironmentAndDefaultsToCreatorAcl()
      throws RuleFileException {
    ZooKeeperSecurity security =
        parse(MINIMAL.replace(ZK, ZK + "  auth: {scheme: digest, credentials: \"${ZK_DIGEST}\"}\n"))
            .security();
    assertEquals(ZooKeeperSecurity.Scheme.DIGEST, security.scheme());
    assertEquals("agent", security.digestUser());
    assertEquals("agent:pw-42", security.digestCredentials().reveal());
    assertEquals(ZooKeeperSecurity.Acl.CREATOR, security.acl());
    assertEquals("digest auth as 'agent', ACL creator, plaintext", security.toString());
  }

  @Test
  void literalCredentialIsRefusedWithoutBeingRepeated() {
    List<String> problems =
        problems(
            MINIMAL.replace(
                ZK, ZK + "  auth:\n    scheme: digest\n    credentials: bob:hunter2\n"));
    assertEquals(1, problems.size(), String.join("\n", problems));
    assertStartsWith(
        LABEL + ":5:18: credentials must not be written in the rules file", problems.get(0));
    assertFalse(problems.get(0).contains("hunter2"), problems.get(0));
  }

  @Test
  void placeholderWithADefaultCredentialIsRefusedToo() {
    List<String> problems =
        problems(
            MINIMAL.replace(
                ZK, ZK + "  auth: {scheme: digest, credentials: \"${ZK_DIGEST:-bob:hunter2}\"}\n"));
    assertEquals(1, problems.size(), String.join("\n", problems));
    assertTrue(problems.get(0).contains("(one placeholder, no default)"), problems.get(0));
    assertFalse(problems.get(0).contains("hunter2"), problems.get(0));
  }

  @Test
  void credentialsWithoutAUserAreRefusedNamingOnlyTheVariable() {
    assertSingleProblem(
        MINIMAL.replace(ZK, ZK + "  auth: {scheme: digest, credentials: \"${NO_USER}\"}\n"),
        "3:39",
        "the value of ${NO_USER} must be user:password; its user is empty");
  }

  @Test
  void unsetSecretVariableIsReportedWithoutSuggestingADefault() {
    assertSingleProblem(
        MINIMAL.replace(ZK, ZK + "  auth: {scheme: digest, credentials: \"${ZK_SECRET}\"}\n"),
        "3:39",
        "environment variable ZK_SECRET is not set; set it in the service's environment"
            + " (credentials is read from there only)");
  }

  @Test
  void creatorAclWithoutAnyIdentityIsRefused() {
    assertSingleProblem(
        MINIMAL.replace(ZK, ZK + "  acl: creator\n"),
        "3:8",
        "acl: creator gives the nodes to the client's authenticated identity, and this client has"
            + " none");
  }

  @Test
  void tlsStoresMustBeAbsoluteReadableFilesAndTheirPasswordsPlaceholders() throws IOException {
    Path trust = write("trust.p12", new byte[] {1});
    List<String> problems =
        problems(
            MINIMAL.replace(
                ZK,
                ZK
                    + "  tls:\n"
                    + "    trustStore: "
                    + trust
                    + "\n    trustStorePassword: changeit\n"
                    + "    keyStore: keys/client.p12\n"
                    + "    keyStoreType: DER\n"
                    + "    hostnameVerifcation: false\n"));
    String all = String.join("\n", problems);
    assertEquals(4, problems.size(), all);
    assertStartsWith(LABEL + ":5:25: trustStorePassword must not be written", problems.get(0));
    assertStartsWith(LABEL + ":6:15: keyStore must be an absolute path", problems.get(1));
    assertStartsWith(LABEL + ":7:19: 'DER' is not a key store type", problems.get(2));
    assertStartsWith(LABEL + ":8:5: unknown key 'hostnameVerifcation'", problems.get(3));
    assertFalse(all.contains("changeit"), all);
  }

  @Test
  void saslNamesAJaasSectionThatTheJaasFileMustHave() throws IOException, RuleFileException {
    Path jaas =
        write(
            "jaas.conf",
            "Other {\n  com.sun.security.auth.module.Krb5LoginModule required;\n};\n"
                .getBytes(StandardCharsets.UTF_8));
    String sasl = ZK + "  auth: {scheme: sasl, jaasFile: " + jaas + ", section: %s}\n";
    ZooKeeperSecurity security = parse(MINIMAL.replace(ZK, sasl.formatted("Other"))).security();
    assertEquals("Other", security.saslSection());
    assertEquals(jaas.toString(), security.jaasFile());
    assertEquals(ZooKeeperSecurity.Acl.CREATOR, security.acl());
    assertSingleProblem(
        MINIMAL.replace(ZK, sasl.formatted("Client")),
        "3:" + (45 + jaas.toString().length()),
        "the JAAS file " + jaas + " has no section named 'Client'");
  }
}
