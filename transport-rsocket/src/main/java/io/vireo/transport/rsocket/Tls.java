package io.vireo.transport.rsocket;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.vireo.security.TlsConfig;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/**
 * Netty TLS contexts from {@link TlsConfig}; built once, when the transport is built (files are
 * read then).
 */
final class Tls {
  private Tls() {}

  static SslContext server(TlsConfig config) {
    Path chain =
        config
            .certChain()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "vireo.server.tls.cert-chain: missing (expected: the server's PEM certificate chain)"));
    try {
      SslContextBuilder builder =
          SslContextBuilder.forServer(chain.toFile(), config.privateKey().orElseThrow().toFile());
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
              + " (expected: a PEM certificate chain and its PKCS#8 PEM private key)",
          e);
    }
  }

  static SslContext client(TlsConfig config) {
    try {
      SslContextBuilder builder = SslContextBuilder.forClient();
      config.trustCerts().ifPresent(trust -> builder.trustManager(trust.toFile()));
      if (config.certChain().isPresent()) {
        builder.keyManager(
            config.certChain().get().toFile(), config.privateKey().orElseThrow().toFile());
      }
      return builder.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "vireo.client.tls: "
              + e.getMessage()
              + " (expected: PEM trust certificates, and a PEM certificate chain with its PKCS#8 key for mutual TLS)",
          e);
    }
  }
}
