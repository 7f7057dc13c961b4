package io.vireo.registry.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.config.Config;
import io.vireo.registry.Registry;
import io.vireo.registry.ServiceInstance;
import io.vireo.testing.etcd.EtcdExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.test.StepVerifier;

/**
 * The registry over TLS to an etcd that asks for client certificates ({@code --client-cert-auth}).
 */
class EtcdTlsTest {
  private static final Certificates CERTS = Certificates.make();

  @RegisterExtension
  static final EtcdExtension ETCD =
      EtcdExtension.mutualTls(CERTS.serverCert, CERTS.serverKey, CERTS.ca);

  private static final Duration BLOCK = Duration.ofSeconds(15);

  @Test
  void registersAndWatchesOverMutualTlsFromConfiguration() {
    assertThat(ETCD.endpoint()).startsWith("https://");
    String service = "tls-" + UUID.randomUUID().toString().substring(0, 8);
    Registry registry =
        EtcdRegistry.of(
            Config.of(
                Map.of(
                    "vireo.registry.etcd.endpoints", ETCD.endpoint(),
                    "vireo.registry.etcd.tls.ca-file", CERTS.ca.toString(),
                    "vireo.registry.etcd.tls.cert-file", CERTS.clientCert.toString(),
                    "vireo.registry.etcd.tls.key-file", CERTS.clientKey.toString())));
    try {
      ServiceInstance instance =
          new ServiceInstance(
              service, "i-1", "127.0.0.1", 7500, "rsocket", "1.0.0", 100, Map.of(), List.of());
      registry.register(instance).block(BLOCK);
      assertThat(registry.instances(service).block(BLOCK)).containsExactly(instance);
    } finally {
      registry.close().block(BLOCK);
    }
  }

  @Test
  void withoutAClientCertificateTheCallFailsNamingTheEndpoint() {
    Registry registry =
        EtcdRegistry.builder()
            .endpoints(ETCD.endpoint())
            .trustCertificates(CERTS.ca)
            .connectionTimeout(Duration.ofSeconds(5))
            .build();
    try {
      StepVerifier.create(
              registry.register(
                  new ServiceInstance(
                      "tls-refused",
                      "i-1",
                      "127.0.0.1",
                      7500,
                      "rsocket",
                      "1.0.0",
                      100,
                      Map.of(),
                      List.of())))
          .expectErrorSatisfies(
              error -> {
                assertThat(((VireoException) error).status()).isEqualTo(Status.UNAVAILABLE);
                assertThat(error.getMessage()).contains(ETCD.endpoint());
              })
          .verify(BLOCK);
    } finally {
      registry.close().block(BLOCK);
    }
  }

  /** A CA, a server certificate for 127.0.0.1 and a client certificate, as PEM files. */
  record Certificates(Path ca, Path serverCert, Path serverKey, Path clientCert, Path clientKey) {
    static Certificates make() {
      try {
        Path dir = Files.createTempDirectory("vireo-etcd-tls");
        X509Bundle ca =
            new CertificateBuilder()
                .subject("CN=vireo etcd test CA")
                .setIsCertificateAuthority(true)
                .ecp256()
                .buildSelfSigned();
        X509Bundle server =
            new CertificateBuilder()
                .subject("CN=etcd")
                .addSanIpAddress("127.0.0.1")
                .addSanDnsName("localhost")
                .addExtendedKeyUsageServerAuth()
                .ecp256()
                .buildIssuedBy(ca);
        X509Bundle client =
            new CertificateBuilder()
                .subject("CN=vireo")
                .addExtendedKeyUsageClientAuth()
                .ecp256()
                .buildIssuedBy(ca);
        return new Certificates(
            Files.writeString(dir.resolve("ca.crt"), ca.getCertificatePEM()),
            Files.writeString(dir.resolve("server.crt"), server.getCertificatePEM()),
            Files.writeString(dir.resolve("server.key"), server.getPrivateKeyPEM()),
            Files.writeString(dir.resolve("client.crt"), client.getCertificatePEM()),
            Files.writeString(dir.resolve("client.key"), client.getPrivateKeyPEM()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (Exception e) {
        throw new IllegalStateException("cannot make test certificates", e);
      }
    }
  }
}
