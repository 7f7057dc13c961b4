package io.vireo.transport.rsocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.vireo.RpcService;
import io.vireo.Service;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.registry.memory.MemoryRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** TLS and mutual TLS over real handshakes, with a CA and certificates made here. */
class TlsTest {
  record Ping(String from) {}

  record Pong(String by) {}

  @RpcService("vireo.test.tls.Echo")
  public interface Echo {
    Mono<Pong> ping(Ping ping);
  }

  @TempDir static Path dir;
  static Path caCert;
  static Path serverCert;
  static Path serverKey;
  static Path clientCert;
  static Path clientKey;
  static Path rogueCert;
  static Path rogueKey;

  final MemoryRegistry registry = MemoryRegistry.newStore();
  final List<Service> services = new ArrayList<>();
  final AtomicInteger served = new AtomicInteger();

  @BeforeAll
  static void certificates() throws Exception {
    X509Bundle ca =
        new CertificateBuilder()
            .subject("CN=vireo test CA")
            .setIsCertificateAuthority(true)
            .ecp256()
            .buildSelfSigned();
    X509Bundle server =
        new CertificateBuilder()
            .subject("CN=echo")
            .addSanIpAddress("127.0.0.1")
            .addSanDnsName("localhost")
            .addExtendedKeyUsageServerAuth()
            .ecp256()
            .buildIssuedBy(ca);
    X509Bundle client =
        new CertificateBuilder()
            .subject("CN=caller")
            .addExtendedKeyUsageClientAuth()
            .ecp256()
            .buildIssuedBy(ca);
    X509Bundle rogueCa =
        new CertificateBuilder()
            .subject("CN=rogue CA")
            .setIsCertificateAuthority(true)
            .ecp256()
            .buildSelfSigned();
    X509Bundle rogue =
        new CertificateBuilder()
            .subject("CN=rogue")
            .addSanIpAddress("127.0.0.1")
            .addExtendedKeyUsageClientAuth()
            .addExtendedKeyUsageServerAuth()
            .ecp256()
            .buildIssuedBy(rogueCa);
    caCert = write("ca.crt", ca.getCertificatePEM());
    serverCert = write("server.crt", server.getCertificatePEM());
    serverKey = write("server.key", server.getPrivateKeyPEM());
    clientCert = write("client.crt", client.getCertificatePEM());
    clientKey = write("client.key", client.getPrivateKeyPEM());
    rogueCert = write("rogue.crt", rogue.getCertificatePEM());
    rogueKey = write("rogue.key", rogue.getPrivateKeyPEM());
  }

  static Path write(String name, String pem) throws Exception {
    return Files.writeString(dir.resolve(name), pem);
  }

  @AfterEach
  void stop() {
    services.forEach(Service::stop);
  }

  Service.Builder base(String name) {
    return Service.builder(name)
        .registry(registry.handle())
        .set("vireo.transport", "rsocket")
        .set("vireo.codec", "json")
        .set("vireo.client.timeout", "5s")
        .set("vireo.client.retries", "0")
        .set("vireo.transport.connect-timeout", "3s")
        .set("vireo.server.shutdown-timeout", "2s");
  }

  Service start(Service.Builder builder) {
    Service service = builder.build().start();
    services.add(service);
    return service;
  }

  void startServer(String clientAuth) {
    Service.Builder server =
        base("echo")
            .handle(
                Echo.class,
                ping ->
                    Mono.fromSupplier(
                        () -> {
                          served.incrementAndGet();
                          return new Pong("echo");
                        }))
            .set("vireo.server.tls.cert-chain", serverCert.toString())
            .set("vireo.server.tls.private-key", serverKey.toString());
    if (!clientAuth.equals("none")) {
      server
          .set("vireo.server.tls.client-auth", clientAuth)
          .set("vireo.server.tls.trust-certs", caCert.toString());
    }
    start(server);
  }

  Echo client(String name, Path trust, Path cert, Path key) {
    return start(
            base(name)
                .set("vireo.client.tls.trust-certs", trust.toString())
                .set("vireo.client.tls.cert-chain", cert.toString())
                .set("vireo.client.tls.private-key", key.toString()))
        .client("echo", Echo.class);
  }

  static void refused(Mono<Pong> call) {
    StepVerifier.create(call)
        .expectErrorSatisfies(
            error -> {
              assertThat(error).isInstanceOf(VireoException.class);
              assertThat(((VireoException) error).status())
                  .isIn(Status.UNAVAILABLE, Status.CANCELLED, Status.INTERNAL);
            })
        .verify(Duration.ofSeconds(15));
  }

  @Test
  void tlsCallWorksWhenTheClientTrustsTheServersCa() {
    startServer("none");
    Echo echo =
        start(base("caller").set("vireo.client.tls.trust-certs", caCert.toString()))
            .client("echo", Echo.class);
    StepVerifier.create(echo.ping(new Ping("caller")))
        .expectNext(new Pong("echo"))
        .verifyComplete();
    assertThat(served).hasValue(1);
  }

  @Test
  void plaintextClientAndUntrustingClientAreRefused() {
    startServer("none");
    refused(start(base("plain")).client("echo", Echo.class).ping(new Ping("plain")));
    refused(
        start(base("untrusting").set("vireo.client.tls.trust-certs", rogueCert.toString()))
            .client("echo", Echo.class)
            .ping(new Ping("untrusting")));
    assertThat(served).hasValue(0);
  }

  @Test
  void mutualTlsAcceptsTheClientCertificateAndRefusesOthers() {
    startServer("require");
    StepVerifier.create(client("caller", caCert, clientCert, clientKey).ping(new Ping("caller")))
        .expectNext(new Pong("echo"))
        .verifyComplete();
    assertThat(served).hasValue(1);
    refused(
        start(base("no-cert").set("vireo.client.tls.trust-certs", caCert.toString()))
            .client("echo", Echo.class)
            .ping(new Ping("no-cert")));
    refused(client("rogue", caCert, rogueCert, rogueKey).ping(new Ping("rogue")));
    assertThat(served).hasValue(1);
  }

  @Test
  void badTlsSettingsFailAtStartWithTheKey() {
    assertThatThrownBy(
            () ->
                base("bad")
                    .set("vireo.server.tls.cert-chain", serverCert.toString())
                    .build()
                    .start())
        .hasMessageContaining("vireo.server.tls: enabled without cert-chain and private-key");
    assertThatThrownBy(
            () ->
                base("bad")
                    .set("vireo.server.tls.cert-chain", serverCert.toString())
                    .set("vireo.server.tls.private-key", serverKey.toString())
                    .set("vireo.server.tls.client-auth", "require")
                    .build()
                    .start())
        .hasMessageContaining("without trust-certs");
  }
}
