package io.deeplakelock.rules;

import java.util.Objects;

/**
 * How the agent's ZooKeeper client proves who it is, which ACL it puts on the nodes it creates, and
 * whether it talks TLS: the {@code auth}, {@code acl} and {@code tls} keys of the {@code zookeeper}
 * section.
 *
 * <p>Passwords and credentials are {@link Secret}s: {@link #toString()} and {@link #describe()}
 * never show them, so this value may be logged or printed as a whole.
 */
public final class ZooKeeperSecurity {

  /** How the client authenticates. */
  public enum Scheme implements Labelled {
    /** Not at all: the server sees an anonymous client. */
    NONE,
    /** ZooKeeper's digest scheme: {@code user:password}, sent after each connect. */
    DIGEST,
    /** SASL (Kerberos or DIGEST-MD5) through a JAAS login section. */
    SASL
  }

  /** The ACL on every node the agent creates. */
  public enum Acl implements Labelled {
    /** Only the authenticated identity may do anything: ZooKeeper's CREATOR_ALL_ACL. */
    CREATOR,
    /** The authenticated identity may do anything, everyone may read (list the queue). */
    CREATOR_WORLD_READ,
    /** Anyone may do anything: ZooKeeper's OPEN_ACL_UNSAFE, the default without auth. */
    OPEN
  }

  /** No authentication, open ACLs, plaintext: what a rules file without these keys gets. */
  public static final ZooKeeperSecurity NONE =
      new ZooKeeperSecurity(Scheme.NONE, null, null, null, null, null, Acl.OPEN, null);

  private final Scheme scheme;
  private final String digestUser;
  private final Secret digestCredentials;
  private final String saslSection;
  private final String jaasFile;
  private final String serverPrincipal;
  private final Acl acl;
  private final Tls tls;

  ZooKeeperSecurity(
      Scheme scheme,
      String digestUser,
      Secret digestCredentials,
      String saslSection,
      String jaasFile,
      String serverPrincipal,
      Acl acl,
      Tls tls) {
    this.scheme = scheme;
    this.digestUser = digestUser;
    this.digestCredentials = digestCredentials;
    this.saslSection = saslSection;
    this.jaasFile = jaasFile;
    this.serverPrincipal = serverPrincipal;
    this.acl = acl;
    this.tls = tls;
  }

  public Scheme scheme() {
    return scheme;
  }

  /** The digest user name (not secret: it is part of the node ACLs), or null. */
  public String digestUser() {
    return digestUser;
  }

  /** {@code user:password} for the digest scheme, or null. */
  public Secret digestCredentials() {
    return digestCredentials;
  }

  /** The JAAS login section for SASL ({@code Client} unless configured), or null. */
  public String saslSection() {
    return saslSection;
  }

  /**
   * The JAAS file the rules file names, or null. ZooKeeper reads JAAS only from the JVM-wide
   * configuration, so this is what the JVM must be started with, never something the agent sets.
   */
  public String jaasFile() {
    return jaasFile;
  }

  /** The server's Kerberos principal, or null for ZooKeeper's default ({@code zookeeper/host}). */
  public String serverPrincipal() {
    return serverPrincipal;
  }

  public Acl acl() {
    return acl;
  }

  /** The TLS settings, or null for plaintext. */
  public Tls tls() {
    return tls;
  }

  /**
   * One line for start-up messages, {@code check} and status, e.g. {@code digest auth as 'agent',
   * ACL creator, TLS (trust store /etc/zk/trust.p12, hostname verification on)}. Never a secret.
   */
  public String describe() {
    StringBuilder out = new StringBuilder();
    switch (scheme) {
      case DIGEST:
        out.append("digest auth as '").append(digestUser).append('\'');
        break;
      case SASL:
        out.append("SASL auth with JAAS section '").append(saslSection).append('\'');
        break;
      default:
        out.append("no auth");
    }
    out.append(", ACL ").append(acl.label());
    if (tls == null) {
      out.append(", plaintext");
    } else {
      out.append(", TLS (");
      if (tls.keyStore != null) {
        out.append("key store ").append(tls.keyStore).append(", ");
      }
      out.append(
          tls.trustStore != null ? "trust store " + tls.trustStore : "the JDK's trusted CAs");
      out.append(", hostname verification ").append(tls.hostnameVerification ? "on" : "OFF");
      out.append(')');
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return describe();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ZooKeeperSecurity)) {
      return false;
    }
    ZooKeeperSecurity other = (ZooKeeperSecurity) o;
    return scheme == other.scheme
        && Objects.equals(digestUser, other.digestUser)
        && Objects.equals(digestCredentials, other.digestCredentials)
        && Objects.equals(saslSection, other.saslSection)
        && Objects.equals(jaasFile, other.jaasFile)
        && Objects.equals(serverPrincipal, other.serverPrincipal)
        && acl == other.acl
        && Objects.equals(tls, other.tls);
  }

  @Override
  public int hashCode() {
    return Objects.hash(scheme, digestUser, saslSection, acl, tls);
  }

  /** TLS to ZooKeeper through the Netty client; store passwords are {@link Secret}s. */
  public static final class Tls {
    private final String keyStore;
    private final Secret keyStorePassword;
    private final String keyStoreType;
    private final String trustStore;
    private final Secret trustStorePassword;
    private final String trustStoreType;
    private final boolean hostnameVerification;

    Tls(
        String keyStore,
        Secret keyStorePassword,
        String keyStoreType,
        String trustStore,
        Secret trustStorePassword,
        String trustStoreType,
        boolean hostnameVerification) {
      this.keyStore = keyStore;
      this.keyStorePassword = keyStorePassword;
      this.keyStoreType = keyStoreType;
      this.trustStore = trustStore;
      this.trustStorePassword = trustStorePassword;
      this.trustStoreType = trustStoreType;
      this.hostnameVerification = hostnameVerification;
    }

    /** The client's own certificate and key (for servers that want one), or null. */
    public String keyStore() {
      return keyStore;
    }

    public Secret keyStorePassword() {
      return keyStorePassword;
    }

    /** JKS, PKCS12, PEM or BCFKS; null lets ZooKeeper tell from the file name. */
    public String keyStoreType() {
      return keyStoreType;
    }

    /** The CAs that may sign the server's certificate, or null for the JDK's own. */
    public String trustStore() {
      return trustStore;
    }

    public Secret trustStorePassword() {
      return trustStorePassword;
    }

    public String trustStoreType() {
      return trustStoreType;
    }

    /** Whether the server's certificate must name the host the client connected to. */
    public boolean hostnameVerification() {
      return hostnameVerification;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Tls)) {
        return false;
      }
      Tls other = (Tls) o;
      return Objects.equals(keyStore, other.keyStore)
          && Objects.equals(keyStorePassword, other.keyStorePassword)
          && Objects.equals(keyStoreType, other.keyStoreType)
          && Objects.equals(trustStore, other.trustStore)
          && Objects.equals(trustStorePassword, other.trustStorePassword)
          && Objects.equals(trustStoreType, other.trustStoreType)
          && hostnameVerification == other.hostnameVerification;
    }

    @Override
    public int hashCode() {
      return Objects.hash(keyStore, trustStore, hostnameVerification);
    }

    @Override
    public String toString() {
      return "TLS (key store "
          + keyStore
          + ", trust store "
          + trustStore
          + ", hostname verification "
          + hostnameVerification
          + ")";
    }
  }
}
