package io.vireo.transport.grpc;

import static io.vireo.transport.grpc.TestGreeter.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.vireo.Service;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.registry.memory.MemoryRegistry;
import io.vireo.transport.grpc.greeter.GreeterGrpc;
import io.vireo.transport.grpc.greeter.HelloReply;
import io.vireo.transport.grpc.greeter.HelloRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** gRPC over TLS and mutual TLS, with real handshakes and a CA and certificates made here. */
class GrpcTlsTest {
  @TempDir static Path dir;
  static Path caCert;
  static Path serverCert;
  static Path serverKey;
  static Path clientCert;
  static Path clientKey;
  static Path rogueCaCert;
  static Path rogueCert;
  static Path rogueKey;

  final MemoryRegistry registry = MemoryRegistry.newStore();
  final List<Service> services = new ArrayList<>();
  final List<ManagedChannel> channels = new ArrayList<>();
  final AtomicInteger served = new AtomicInteger();
  int port;

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
            .subject("CN=greeter")
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
    rogueCaCert = write("rogue-ca.crt", rogueCa.getCertificatePEM());
    rogueCert = write("rogue.crt", rogue.getCertificatePEM());
    rogueKey = write("rogue.key", rogue.getPrivateKeyPEM());
  }

  static Path write(String name, String pem) throws Exception {
    return Files.writeString(dir.resolve(name), pem);
  }

  @AfterEach
  void stop() throws InterruptedException {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    services.forEach(Service::stop);
  }

  Service.Builder base(String name) {
    return Service.builder(name)
        .registry(registry.handle())
        .set("vireo.transport", "grpc")
        .set("vireo.client.timeout", "5s")
        .set("vireo.client.retries", "0")
        .set("vireo.transport.grpc.connect-timeout", "3s")
        .set("vireo.transport.grpc.shutdown-timeout", "500ms");
  }

  Service start(Service.Builder builder) {
    Service service = builder.build().start();
    services.add(service);
    return service;
  }

  void startServer(String clientAuth) {
    TestGreeter delegate = new TestGreeter();
    Greeter greeter =
        new Greeter() {
          @Override
          public Mono<HelloReply> sayHello(HelloRequest request) {
            served.incrementAndGet();
            return delegate.sayHello(request);
          }

          @Override
          public Flux<HelloReply> lotsOfReplies(HelloRequest request) {
            return delegate.lotsOfReplies(request);
          }

          @Override
          public Mono<HelloReply> lotsOfGreetings(Flux<HelloRequest> requests) {
            return delegate.lotsOfGreetings(requests);
          }

          @Override
          public Flux<HelloReply> bidiHello(Flux<HelloRequest> requests) {
            return delegate.bidiHello(requests);
          }
        };
    Service.Builder server =
        base("greeter")
            .handle(Greeter.class, greeter)
            .set("vireo.server.tls.cert-chain", serverCert.toString())
            .set("vireo.server.tls.private-key", serverKey.toString());
    if (!clientAuth.equals("none")) {
      server
          .set("vireo.server.tls.client-auth", clientAuth)
          .set("vireo.server.tls.trust-certs", caCert.toString());
    }
    port = start(server).instance().orElseThrow().port();
  }

  Greeter client(String name, Consumer<Service.Builder> tls) {
    Service.Builder builder = base(name);
    tls.accept(builder);
    return start(builder).client("greeter", Greeter.class);
  }

  static Consumer<Service.Builder> trusting(Path ca) {
    return builder -> builder.set("vireo.client.tls.trust-certs", ca.toString());
  }

  static Consumer<Service.Builder> withCertificate(Path cert, Path key) {
    return builder ->
        builder
            .set("vireo.client.tls.trust-certs", caCert.toString())
            .set("vireo.client.tls.cert-chain", cert.toString())
            .set("vireo.client.tls.private-key", key.toString());
  }

  static void refused(Mono<HelloReply> call, String... messageParts) {
    StepVerifier.create(call)
        .expectErrorSatisfies(
            error -> {
              assertThat(error).isInstanceOf(VireoException.class);
              assertThat(((VireoException) error).status()).isEqualTo(Status.UNAVAILABLE);
              // the message says how the client connected and what the handshake said
              assertThat(error.getMessage())
                  .contains("cannot reach", "over gRPC")
                  .contains(messageParts);
            })
        .verify(Duration.ofSeconds(15));
  }

  static void answered(Mono<HelloReply> call) {
    StepVerifier.create(call.map(HelloReply::getMessage)).expectNext("Hello, Ada").verifyComplete();
  }

  @Test
  void tlsCallWorksWhenTheClientTrustsTheServersCa() {
    startServer("none");
    answered(client("caller", trusting(caCert)).sayHello(request("Ada")));
    assertThat(served).hasValue(1);
  }

  @Test
  void plaintextClientAndUntrustingClientAreRefused() {
    startServer("none");
    refused(client("plain", builder -> {}).sayHello(request("Ada")), "in plaintext");
    refused(
        client("untrusting", trusting(rogueCaCert)).sayHello(request("Ada")),
        "with TLS (vireo.client.tls.*)",
        "SSLHandshakeException",
        "PKIX");
    assertThat(served).hasValue(0);
  }

  @Test
  void mutualTlsAcceptsTheClientCertificateAndRefusesOthers() {
    startServer("require");
    answered(client("caller", withCertificate(clientCert, clientKey)).sayHello(request("Ada")));
    assertThat(served).hasValue(1);
    refused(
        client("no-cert", trusting(caCert)).sayHello(request("Ada")), "with TLS", "ssl exception");
    refused(
        client("rogue", withCertificate(rogueCert, rogueKey)).sayHello(request("Ada")),
        "with TLS",
        "ssl exception");
    assertThat(served).hasValue(1);
  }

  @Test
  void optionalClientAuthAcceptsClientsWithAndWithoutCertificates() {
    startServer("optional");
    answered(client("caller", withCertificate(clientCert, clientKey)).sayHello(request("Ada")));
    answered(client("anonymous", trusting(caCert)).sayHello(request("Ada")));
    assertThat(served).hasValue(2);
  }

  @Test
  void stockGrpcJavaStubCallsAVireoServiceOverMutualTls() throws Exception {
    startServer("require");
    ManagedChannel withCert =
        channel(
            GrpcSslContexts.forClient()
                .trustManager(caCert.toFile())
                .keyManager(clientCert.toFile(), clientKey.toFile())
                .build());
    assertThat(
            GreeterGrpc.newBlockingStub(withCert)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .sayHello(request("Ada"))
                .getMessage())
        .isEqualTo("Hello, Ada");

    ManagedChannel withoutCert =
        channel(GrpcSslContexts.forClient().trustManager(caCert.toFile()).build());
    assertThatThrownBy(
            () ->
                GreeterGrpc.newBlockingStub(withoutCert)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .sayHello(request("Ada")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE));
    assertThat(served).hasValue(1);
  }

  @Test
  void badTlsSettingsFailAtStartNamingTheKey() {
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
                    .set("vireo.server.tls.private-key", serverCert.toString())
                    .build()
                    .start())
        .hasMessageContaining("vireo.server.tls: ");
    assertThatThrownBy(
            () ->
                base("bad")
                    .set("vireo.client.tls.trust-certs", serverKey.toString())
                    .build()
                    .start())
        .hasMessageContaining("vireo.client.tls: ");
  }

  ManagedChannel channel(SslContext tls) {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port).sslContext(tls).build();
    channels.add(channel);
    return channel;
  }
}
