package io.vireo.transport.grpc;

import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.vireo.security.TlsConfig;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/**
 * Netty TLS contexts for gRPC (HTTP/2 over ALPN, gRPC's ciphers) from {@link TlsConfig}; built
 * once, when the transport is built, so that bad files fail at start naming the key.
 */
final class GrpcTls {
  private GrpcTls() {}

  static SslContext server(TlsConfig config) {
    Path chain =
        config
            .certChain()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "vireo.server.tls.cert-chain: missing (expected: the server's PEM certificate chain)"));
    Path key =
        config
            .privateKey()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "vireo.server.tls.private-key: missing (expected: the PKCS#8 PEM key of vireo.server.tls.cert-chain)"));
    try {
      SslContextBuilder builder = GrpcSslContexts.forServer(chain.toFile(), key.toFile());
      config.trustCerts().ifPresent(trust -> builder.trustManager(trust.toFile()));
      builder.clientAuth(
          switch (config.clientAuth()) {
            case NONE -> ClientAuth.NONE;
            case OPTIONAL -> ClientAuth.OPTIONAL;
            case REQUIRE -> ClientAuth.REQUIRE;
          });
      return builder.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "vireo.server.tls: "
              + e.getMessage()
              + " (expected: a PEM certificate chain and its PKCS#8 PEM private key, PEM trust-certs)",
          e);
    }
  }

  static SslContext client(TlsConfig config) {
    try {
      SslContextBuilder builder = GrpcSslContexts.forClient();
      config.trustCerts().ifPresent(trust -> builder.trustManager(trust.toFile()));
      if (config.certChain().isPresent() && config.privateKey().isPresent()) {
        builder.keyManager(config.certChain().get().toFile(), config.privateKey().get().toFile());
      }
      return builder.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "vireo.client.tls: "
              + e.getMessage()
              + " (expected: PEM trust-certs, and a PEM cert-chain with its PKCS#8 private-key for mutual TLS)",
          e);
    }
  }
}
