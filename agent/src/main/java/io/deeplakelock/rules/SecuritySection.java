package io.deeplakelock.rules;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.URIParameter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.security.auth.login.Configuration;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads the {@code auth}, {@code acl} and {@code tls} keys of the {@code zookeeper} section into a
 * {@link ZooKeeperSecurity}, reporting problems through the file's {@link YamlReader}.
 *
 * <p><b>Secrets.</b> A credential or password must be written as one {@code ${NAME}} placeholder,
 * so the file never holds it; a literal is refused without being echoed. No message this class
 * writes contains a secret's value.
 */
final class SecuritySection {

  /** Exactly one environment placeholder, without a default (a default is text in the file). */
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

  private static final Pattern JAAS_LINE = Pattern.compile("Line (\\d+)");

  private static final List<String> STORE_TYPES = Arrays.asList("JKS", "PKCS12", "PEM", "BCFKS");

  private static final List<String> AUTH_KEYS =
      Arrays.asList("scheme", "credentials", "jaasFile", "section", "serverPrincipal");

  private static final List<String> TLS_KEYS =
      Arrays.asList(
          "keyStore",
          "keyStorePassword",
          "keyStoreType",
          "trustStore",
          "trustStorePassword",
          "trustStoreType",
          "hostnameVerification");

  /** The schemes a file may name; {@link ZooKeeperSecurity.Scheme#NONE} is what no auth means. */
  private static final ZooKeeperSecurity.Scheme[] SCHEMES = {
    ZooKeeperSecurity.Scheme.DIGEST, ZooKeeperSecurity.Scheme.SASL
  };

  private final YamlReader yaml;

  SecuritySection(YamlReader yaml) {
    this.yaml = yaml;
  }

  ZooKeeperSecurity read(Map<String, Node> zk) {
    ZooKeeperSecurity.Scheme scheme = ZooKeeperSecurity.Scheme.NONE;
    String digestUser = null;
    Secret digest = null;
    String section = null;
    String jaasFile = null;
    String serverPrincipal = null;
    Node authNode = zk.get("auth");
    if (authNode != null) {
      Map<String, Node> auth = yaml.mapping(authNode, "zookeeper.auth", AUTH_KEYS);
      if (!auth.containsKey("scheme") && authNode instanceof MappingNode) {
        yaml.problem(authNode, "zookeeper.auth needs a scheme: digest or sasl");
      }
      ZooKeeperSecurity.Scheme chosen =
          yaml.choice(auth.get("scheme"), SCHEMES, ZooKeeperSecurity.Scheme::label);
      if (chosen == ZooKeeperSecurity.Scheme.DIGEST) {
        scheme = chosen;
        notFor(auth, chosen, "jaasFile", "section", "serverPrincipal");
        if (!auth.containsKey("credentials")) {
          yaml.problem(
              authNode,
              "digest auth needs credentials: ${ZK_DIGEST}, with ZK_DIGEST=user:password in the"
                  + " service's environment");
        } else {
          Node node = auth.get("credentials");
          digest = secret(node, "credentials", "ZK_DIGEST");
          if (digest != null) {
            digestUser = digestUser(node, digest);
            if (digestUser == null) {
              digest = null;
            }
          }
        }
      } else if (chosen == ZooKeeperSecurity.Scheme.SASL) {
        scheme = chosen;
        notFor(auth, chosen, "credentials");
        section = auth.containsKey("section") ? yaml.text(auth.get("section")) : "Client";
        serverPrincipal = yaml.text(auth.get("serverPrincipal"));
        if (auth.containsKey("jaasFile")) {
          jaasFile = existingFile(auth.get("jaasFile"), "jaasFile");
          if (jaasFile != null && section != null) {
            checkJaasSection(
                auth.containsKey("section") ? auth.get("section") : authNode, jaasFile, section);
          }
        }
      }
    }

    ZooKeeperSecurity.Tls tls = zk.containsKey("tls") ? tls(zk.get("tls")) : null;

    boolean authenticated = scheme != ZooKeeperSecurity.Scheme.NONE;
    ZooKeeperSecurity.Acl acl =
        authenticated ? ZooKeeperSecurity.Acl.CREATOR : ZooKeeperSecurity.Acl.OPEN;
    Node aclNode = zk.get("acl");
    if (aclNode != null) {
      ZooKeeperSecurity.Acl chosen =
          yaml.choice(aclNode, ZooKeeperSecurity.Acl.values(), ZooKeeperSecurity.Acl::label);
      if (chosen != null) {
        acl = chosen;
        boolean certificate = tls != null && tls.keyStore() != null;
        if (chosen != ZooKeeperSecurity.Acl.OPEN
            && !authenticated
            && !certificate
            && authNode == null) {
          yaml.problem(
              aclNode,
              "acl: "
                  + chosen.label()
                  + " gives the nodes to the client's authenticated identity, and this client"
                  + " has none: add auth (digest or sasl), or a tls keyStore whose certificate"
                  + " the server maps to an x509 identity; or write acl: open");
        }
      }
    }
    return new ZooKeeperSecurity(
        scheme, digestUser, digest, section, jaasFile, serverPrincipal, acl, tls);
  }

  private ZooKeeperSecurity.Tls tls(Node node) {
    Map<String, Node> keys = yaml.mapping(node, "zookeeper.tls", TLS_KEYS);
    String keyStore =
        keys.containsKey("keyStore") ? existingFile(keys.get("keyStore"), "keyStore") : null;
    String trustStore =
        keys.containsKey("trustStore") ? existingFile(keys.get("trustStore"), "trustStore") : null;
    Secret keyStorePassword = storePassword(keys, "keyStore", "KEYSTORE_PASSWORD");
    Secret trustStorePassword = storePassword(keys, "trustStore", "TRUSTSTORE_PASSWORD");
    String keyStoreType = storeType(keys, "keyStore");
    String trustStoreType = storeType(keys, "trustStore");
    boolean hostnameVerification = yaml.bool(keys.get("hostnameVerification"), true);
    return new ZooKeeperSecurity.Tls(
        keyStore,
        keyStorePassword,
        keyStoreType,
        trustStore,
        trustStorePassword,
        trustStoreType,
        hostnameVerification);
  }

  private Secret storePassword(Map<String, Node> keys, String store, String exampleVariable) {
    Node node = keys.get(store + "Password");
    if (node == null) {
      return null;
    }
    if (!keys.containsKey(store)) {
      yaml.problem(
          node, store + "Password is set but " + store + " is not; add " + store + ": /path");
    }
    return secret(node, store + "Password", exampleVariable);
  }

  private String storeType(Map<String, Node> keys, String store) {
    Node node = keys.get(store + "Type");
    if (node == null) {
      return null;
    }
    String text = yaml.text(node);
    if (text == null) {
      return null;
    }
    String type = text.toUpperCase(Locale.ROOT);
    if (!STORE_TYPES.contains(type)) {
      yaml.problem(
          node,
          "'"
              + text
              + "' is not a key store type; write one of: "
              + String.join(", ", STORE_TYPES));
      return null;
    }
    if (!keys.containsKey(store)) {
      yaml.problem(node, store + "Type is set but " + store + " is not; add " + store + ": /path");
    }
    return type;
  }

  /** Refuses keys that belong to the other scheme. */
  private void notFor(Map<String, Node> auth, ZooKeeperSecurity.Scheme scheme, String... keys) {
    for (String key : keys) {
      if (auth.containsKey(key)) {
        yaml.problem(
            auth.get(key),
            "'" + key + "' does not apply to scheme " + scheme.label() + "; remove it");
      }
    }
  }

  /**
   * A secret value: the raw scalar must be exactly {@code ${NAME}}, then it is read from the
   * environment. Messages name the key and the variable, never the value.
   */
  private Secret secret(Node node, String key, String exampleVariable) {
    boolean text =
        node instanceof ScalarNode
            && (node.getTag().equals(Tag.STR) || node.getTag().equals(Tag.ENV_TAG));
    if (!text) {
      yaml.problem(
          node, key + " must be one environment placeholder such as ${" + exampleVariable + "}");
      return null;
    }
    String raw = ((ScalarNode) node).getValue().trim();
    Matcher m = PLACEHOLDER.matcher(raw);
    if (!m.matches()) {
      yaml.problem(
          node,
          key
              + " must not be written in the rules file: put it in an environment variable and"
              + " write "
              + key
              + ": ${"
              + exampleVariable
              + "} (one placeholder, no default)");
      return null;
    }
    String variable = m.group(1);
    String value = yaml.variable(variable);
    if (value == null || value.isEmpty()) {
      yaml.problem(
          node,
          "environment variable "
              + variable
              + " is not set; set it in the service's environment ("
              + key
              + " is read from there only)");
      return null;
    }
    return new Secret(value);
  }

  private String digestUser(Node node, Secret credentials) {
    String value = credentials.reveal();
    String variable = ((ScalarNode) node).getValue().trim();
    int colon = value.indexOf(':');
    if (colon < 0) {
      yaml.problem(node, "the value of " + variable + " must be user:password; it has no ':'");
      return null;
    }
    if (colon == 0 || colon == value.length() - 1) {
      yaml.problem(
          node,
          "the value of "
              + variable
              + " must be user:password; its "
              + (colon == 0 ? "user" : "password")
              + " is empty");
      return null;
    }
    return value.substring(0, colon);
  }

  private String existingFile(Node node, String key) {
    String text = yaml.text(node);
    if (text == null) {
      return null;
    }
    Path path = Paths.get(text);
    if (!path.isAbsolute()) {
      yaml.problem(
          node,
          key
              + " must be an absolute path (a relative one would depend on the service's working"
              + " directory), e.g. /etc/deeplake-lock/"
              + (key.equals("jaasFile")
                  ? "jaas.conf"
                  : "zk-" + key.toLowerCase(Locale.ROOT) + ".p12"));
      return null;
    }
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      yaml.problem(node, key + " " + text + " is not a readable file");
      return null;
    }
    return text;
  }

  /**
   * Checks that the JAAS file defines {@code section}, with a private {@link Configuration} that
   * leaves the JVM-wide one alone. Parser messages are not repeated: they may quote the file.
   */
  private void checkJaasSection(Node where, String jaasFile, String section) {
    URI uri = Paths.get(jaasFile).toUri();
    Configuration jaas;
    try {
      jaas = Configuration.getInstance("JavaLoginConfig", new URIParameter(uri));
    } catch (GeneralSecurityException | SecurityException e) {
      Matcher line = JAAS_LINE.matcher(String.valueOf(rootMessage(e)));
      yaml.problem(
          where,
          "the JAAS file "
              + jaasFile
              + " cannot be read as a JAAS configuration"
              + (line.find() ? " (syntax error at line " + line.group(1) + ")" : ""));
      return;
    }
    if (jaas.getAppConfigurationEntry(section) == null) {
      yaml.problem(where, "the JAAS file " + jaasFile + " has no section named '" + section + "'");
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
