package io.deeplakelock.lock;

import io.deeplakelock.rules.Secret;
import io.deeplakelock.rules.ZooKeeperSecurity;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.ClientCnxnSocketNetty;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ClientX509Util;
import org.apache.zookeeper.common.ZKConfig;
import org.apache.zookeeper.data.ACL;

/**
 * Applies a rules file's {@link ZooKeeperSecurity} to a Curator client: digest credentials, the ACL
 * of every node it creates, and SASL and TLS settings in its own {@link ZKClientConfig}.
 *
 * <p><b>No JVM-wide state.</b> Everything goes into the one client's configuration; no system
 * property is read for, or written by, the agent's ZooKeeper client except the JVM-level ones
 * ZooKeeper shares with every client ({@code jute.maxbuffer}, the Kerberos {@code kinit} command).
 * So the host service's own {@code zookeeper.*} system properties (its TLS stores, a {@code
 * clientCnxnSocket} class name that our relocated client could not load, revocation checks that
 * ZooKeeper would switch on JVM-wide) never reach the agent's client, and ours never reach the
 * host's. The one thing ZooKeeper cannot take per client is the JAAS configuration: see {@link
 * ZooKeeperSecurity#jaasFile()}.
 */
public final class ClientSecurity {

  private ClientSecurity() {}

  /** Sets authentication, ACLs and the client configuration on {@code builder}. */
  public static CuratorFrameworkFactory.Builder apply(
      ZooKeeperSecurity security, CuratorFrameworkFactory.Builder builder) {
    if (security.scheme() == ZooKeeperSecurity.Scheme.DIGEST) {
      builder.authorization(
          "digest", security.digestCredentials().reveal().getBytes(StandardCharsets.UTF_8));
    }
    return builder
        .aclProvider(new FixedAcl(acl(security.acl())))
        .zkClientConfig(clientConfig(security));
  }

  /** The ACL list for {@code acl}. */
  public static List<ACL> acl(ZooKeeperSecurity.Acl acl) {
    switch (acl) {
      case CREATOR:
        return ZooDefs.Ids.CREATOR_ALL_ACL;
      case CREATOR_WORLD_READ:
        List<ACL> list = new ArrayList<>(ZooDefs.Ids.CREATOR_ALL_ACL);
        list.addAll(ZooDefs.Ids.READ_ACL_UNSAFE);
        return Collections.unmodifiableList(list);
      default:
        return ZooDefs.Ids.OPEN_ACL_UNSAFE;
    }
  }

  /**
   * A client configuration built only from {@code security}: SASL off unless configured (so a JAAS
   * file meant for the host service is never tried on our connection), TLS through the Netty client
   * when configured.
   */
  public static ZKClientConfig clientConfig(ZooKeeperSecurity security) {
    ZKClientConfig config = new OwnClientConfig();
    if (security.scheme() == ZooKeeperSecurity.Scheme.SASL) {
      config.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, "true");
      config.setProperty(ZKClientConfig.LOGIN_CONTEXT_NAME_KEY, security.saslSection());
      config.setProperty(ZKClientConfig.ZOOKEEPER_SERVER_PRINCIPAL, security.serverPrincipal());
    } else {
      config.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, "false");
    }
    ZooKeeperSecurity.Tls tls = security.tls();
    if (tls == null) {
      config.setProperty(ZKClientConfig.SECURE_CLIENT, "false");
      return config;
    }
    config.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
    // A class literal, so that the shade plugin relocates the name along with the class.
    config.setProperty(
        ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, ClientCnxnSocketNetty.class.getName());
    try (ClientX509Util x509 = new ClientX509Util()) {
      config.setProperty(x509.getSslKeystoreLocationProperty(), tls.keyStore());
      config.setProperty(x509.getSslKeystorePasswdProperty(), reveal(tls.keyStorePassword()));
      config.setProperty(x509.getSslKeystoreTypeProperty(), tls.keyStoreType());
      config.setProperty(x509.getSslTruststoreLocationProperty(), tls.trustStore());
      config.setProperty(x509.getSslTruststorePasswdProperty(), reveal(tls.trustStorePassword()));
      config.setProperty(x509.getSslTruststoreTypeProperty(), tls.trustStoreType());
      config.setProperty(
          x509.getSslHostnameVerificationEnabledProperty(),
          String.valueOf(tls.hostnameVerification()));
    }
    return config;
  }

  private static String reveal(Secret secret) {
    return secret == null ? null : secret.reveal();
  }

  /**
   * A {@link ZKClientConfig} that does not copy the {@code zookeeper.*} system properties (the
   * stock constructor copies the client and TLS ones), so the agent's client is configured by its
   * rules file alone.
   */
  private static final class OwnClientConfig extends ZKClientConfig {
    OwnClientConfig() {
      // The stock constructor also copies these two from system properties: not ours either.
      setProperty(ZOOKEEPER_REQUEST_TIMEOUT, null);
      setProperty(ZOOKEEPER_SERVER_PRINCIPAL, null);
    }

    @Override
    protected void handleBackwardCompatibility() {
      // JVM-level settings that every ZooKeeper client in the process shares.
      setProperty(ZKConfig.JUTE_MAXBUFFER, System.getProperty(ZKConfig.JUTE_MAXBUFFER));
      setProperty(ZKConfig.KINIT_COMMAND, System.getProperty(ZKConfig.KINIT_COMMAND));
      setProperty(ZKConfig.JGSS_NATIVE, System.getProperty(ZKConfig.JGSS_NATIVE));
    }
  }

  /** The same ACL for every path: lock nodes, their parents and the namespace node alike. */
  private static final class FixedAcl implements ACLProvider {
    private final List<ACL> acl;

    FixedAcl(List<ACL> acl) {
      this.acl = acl;
    }

    @Override
    public List<ACL> getDefaultAcl() {
      return acl;
    }

    @Override
    public List<ACL> getAclForPath(String path) {
      return acl;
    }
  }
}
