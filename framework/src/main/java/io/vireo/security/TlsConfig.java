package io.vireo.security;

import io.vireo.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * TLS settings of a transport's server or client side, as PEM files: the transports build their TLS
 * engines from it. Read from {@code vireo.server.tls.*} and {@code vireo.client.tls.*}:
 *
 * <pre>
 * vireo.server.tls.cert-chain=/etc/vireo/server.crt     # PEM, leaf first
 * vireo.server.tls.private-key=/etc/vireo/server.key    # PEM, PKCS#8
 * vireo.server.tls.trust-certs=/etc/vireo/clients-ca.crt # CAs that sign client certificates
 * vireo.server.tls.client-auth=require                  # none | optional | require
 * vireo.client.tls.enabled=true
 * vireo.client.tls.trust-certs=/etc/vireo/ca.crt        # default: the JDK's trust store
 * vireo.client.tls.cert-chain=/etc/vireo/client.crt     # for mutual TLS
 * vireo.client.tls.private-key=/etc/vireo/client.key
 * </pre>
 *
 * @param certChain this side's certificate chain (required on a server)
 * @param privateKey its private key
 * @param trustCerts the CAs to trust for the peer; empty: the JDK's default trust store
 * @param clientAuth whether a server asks for client certificates
 */
public record TlsConfig(
    Optional<Path> certChain,
    Optional<Path> privateKey,
    Optional<Path> trustCerts,
    ClientAuth clientAuth) {
  /** Whether a server asks clients for certificates. */
  public enum ClientAuth {
    NONE,
    OPTIONAL,
    REQUIRE
  }

  public TlsConfig {
    if (certChain.isPresent() != privateKey.isPresent()) {
      throw new IllegalArgumentException(
          "tls: cert-chain and private-key go together (expected: both or neither)");
    }
    if (clientAuth != ClientAuth.NONE && trustCerts.isEmpty()) {
      throw new IllegalArgumentException(
          "tls.client-auth: "
              + clientAuth.name().toLowerCase(Locale.ROOT)
              + " without trust-certs (expected: the CA certificates that sign client certificates)");
    }
    certChain.ifPresent(path -> readable("cert-chain", path));
    privateKey.ifPresent(path -> readable("private-key", path));
    trustCerts.ifPresent(path -> readable("trust-certs", path));
  }

  /** A server's settings. */
  public static TlsConfig server(Path certChain, Path privateKey) {
    return new TlsConfig(
        Optional.of(certChain), Optional.of(privateKey), Optional.empty(), ClientAuth.NONE);
  }

  /** A client's settings trusting these CAs. */
  public static TlsConfig client(Path trustCerts) {
    return new TlsConfig(
        Optional.empty(), Optional.empty(), Optional.of(trustCerts), ClientAuth.NONE);
  }

  public TlsConfig withTrustCerts(Path trustCerts) {
    return new TlsConfig(certChain, privateKey, Optional.of(trustCerts), clientAuth);
  }

  public TlsConfig withClientAuth(ClientAuth clientAuth) {
    return new TlsConfig(certChain, privateKey, trustCerts, clientAuth);
  }

  /** This side's own certificate and key, for a client doing mutual TLS. */
  public TlsConfig withKeyCertChain(Path certChain, Path privateKey) {
    return new TlsConfig(Optional.of(certChain), Optional.of(privateKey), trustCerts, clientAuth);
  }

  /**
   * {@code vireo.server.tls.*}: on when {@code cert-chain} is set (or {@code enabled=true}, which
   * then requires it).
   */
  public static Optional<TlsConfig> server(Config config) {
    String prefix = "vireo.server.tls.";
    boolean enabled =
        config.getBoolean(prefix + "enabled", config.get(prefix + "cert-chain").isPresent());
    if (!enabled) {
      return Optional.empty();
    }
    if (config.get(prefix + "cert-chain").isEmpty()
        || config.get(prefix + "private-key").isEmpty()) {
      throw new IllegalArgumentException(
          "vireo.server.tls: enabled without cert-chain and private-key (expected: PEM files)");
    }
    return Optional.of(read(config, prefix));
  }

  /**
   * {@code vireo.client.tls.*}: on when {@code enabled=true}, or when {@code trust-certs} or {@code
   * cert-chain} is set.
   */
  public static Optional<TlsConfig> client(Config config) {
    String prefix = "vireo.client.tls.";
    boolean enabled =
        config.getBoolean(
            prefix + "enabled",
            config.get(prefix + "trust-certs").isPresent()
                || config.get(prefix + "cert-chain").isPresent());
    return enabled ? Optional.of(read(config, prefix)) : Optional.empty();
  }

  private static TlsConfig read(Config config, String prefix) {
    String auth = config.get(prefix + "client-auth", "none").trim().toUpperCase(Locale.ROOT);
    ClientAuth clientAuth;
    try {
      clientAuth = ClientAuth.valueOf(auth);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          prefix
              + "client-auth: "
              + auth.toLowerCase(Locale.ROOT)
              + " (expected: none, optional or require)",
          e);
    }
    try {
      return new TlsConfig(
          config.get(prefix + "cert-chain").map(Path::of),
          config.get(prefix + "private-key").map(Path::of),
          config.get(prefix + "trust-certs").map(Path::of),
          clientAuth);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          prefix.substring(0, prefix.length() - 1) + ": " + e.getMessage(), e);
    }
  }

  private static void readable(String what, Path path) {
    if (!Files.isReadable(path)) {
      throw new IllegalArgumentException(
          what + ": " + path + " is not a readable file (expected: a PEM file)");
    }
  }
}
