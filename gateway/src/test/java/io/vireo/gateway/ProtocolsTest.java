package io.vireo.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.vireo.registry.memory.MemoryRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway speaks HTTP/1.1, h2c and, with TLS, HTTP/2 chosen by ALPN. */
class ProtocolsTest {
  @TempDir Path dir;

  @Test
  void servesHttp2CleartextAndHttp11OnOnePort() throws Exception {
    try (Backend backend = new Backend("b")) {
      Gateway gateway =
          Gateway.builder()
              .registry(MemoryRegistry.newStore())
              .port(0)
              .host("127.0.0.1")
              .set("vireo.gateway.routes[0].path", "/hello/**")
              .set("vireo.gateway.routes[0].uri", backend.uri())
              .build()
              .start();
      try {
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        HttpResponse<String> response =
            h2.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gateway.port() + "/hello/x"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(response.body()).isEqualTo("hello from b");
        assertThat(Http.get(gateway, "/hello/x").version()).isEqualTo(HttpClient.Version.HTTP_1_1);
      } finally {
        gateway.stop();
      }
    }
  }

  @Test
  void servesOnItsOwnEventLoopsAndRefusesACountBelowOne() throws Exception {
    try (Backend backend = new Backend("loops")) {
      Gateway gateway =
          Gateway.builder()
              .registry(MemoryRegistry.newStore())
              .port(0)
              .host("127.0.0.1")
              .set("vireo.gateway.event-loops", "1")
              .set("vireo.gateway.routes[0].path", "/hello/**")
              .set("vireo.gateway.routes[0].uri", backend.uri())
              .build()
              .start();
      try {
        // four connections of their own, each answered
        for (int i = 0; i < 4; i++) {
          HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
          HttpResponse<String> response =
              own.send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + gateway.port() + "/hello/" + i))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          assertThat(response.body()).isEqualTo("hello from loops");
        }
        // all of them on the one loop the key asked for (the loops of gateways stopped before
        // may take a moment to end)
        await()
            .atMost(Duration.ofSeconds(5))
            .until(
                () ->
                    Thread.getAllStackTraces().keySet().stream()
                            .map(Thread::getName)
                            .filter(name -> name.matches("vireo-gateway-(epoll|nio)-\\d+"))
                            .count()
                        == 1);
      } finally {
        gateway.stop();
      }
    }
    assertThatThrownBy(
            () ->
                Gateway.builder()
                    .registry(MemoryRegistry.newStore())
                    .port(0)
                    .host("127.0.0.1")
                    .set("vireo.gateway.event-loops", "0")
                    .build()
                    .start())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("vireo.gateway.event-loops: 0 (expected: > 0)");
  }

  @Test
  void closesAConnectionIdleForTheIdleTimeoutAndKeepsABusyOne() throws Exception {
    try (Backend backend = new Backend("idle")) {
      Gateway gateway =
          Gateway.builder()
              .registry(MemoryRegistry.newStore())
              .port(0)
              .host("127.0.0.1")
              .set("vireo.gateway.idle-timeout", "400ms")
              .set("vireo.gateway.routes[0].path", "/hello/**")
              .set("vireo.gateway.routes[0].uri", backend.uri())
              .build()
              .start();
      try (Socket idle = new Socket("127.0.0.1", gateway.port());
          Socket busy = new Socket("127.0.0.1", gateway.port())) {
        idle.setSoTimeout(5_000);
        busy.setSoTimeout(5_000);
        long start = System.nanoTime();
        // keep-alive requests on one connection, back to back, for over twice the timeout (at
        // most 100,000 of them)
        int answered = 0;
        while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(1_000)
            && answered < 100_000) {
          busy.getOutputStream()
              .write(
                  "GET /hello/x HTTP/1.1\r\nHost: localhost\r\n\r\n"
                      .getBytes(StandardCharsets.US_ASCII));
          assertThat(response(busy.getInputStream())).endsWith("hello from idle");
          answered++;
        }
        assertThat(System.nanoTime() - start)
            .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(800));
        // the connection that sent nothing was closed by the gateway: its read ends
        assertThat(idle.getInputStream().read()).isEqualTo(-1);
        long closedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(closedAfter).isGreaterThanOrEqualTo(400).isLessThan(5_000);
      } finally {
        gateway.stop();
      }
    }
  }

  /** One HTTP/1.1 response with a Content-Length: its status line to the end of its body. */
  private static String response(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed after: " + head);
      }
      head.append((char) b);
    }
    int length = 0;
    for (String line : head.toString().split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring("content-length:".length()).trim());
      }
    }
    return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }

  @Test
  void servesHttp2OverTlsByAlpn() throws Exception {
    X509Bundle ca =
        new CertificateBuilder()
            .subject("CN=vireo test CA")
            .setIsCertificateAuthority(true)
            .ecp256()
            .buildSelfSigned();
    X509Bundle server =
        new CertificateBuilder()
            .subject("CN=gateway")
            .addSanIpAddress("127.0.0.1")
            .addExtendedKeyUsageServerAuth()
            .ecp256()
            .buildIssuedBy(ca);
    Path cert = Files.writeString(dir.resolve("server.crt"), server.getCertificatePEM());
    Path key = Files.writeString(dir.resolve("server.key"), server.getPrivateKeyPEM());
    try (Backend backend = new Backend("tls")) {
      Gateway gateway =
          Gateway.builder()
              .registry(MemoryRegistry.newStore())
              .port(0)
              .host("127.0.0.1")
              .set("vireo.gateway.tls.cert-chain", cert.toString())
              .set("vireo.gateway.tls.private-key", key.toString())
              .set("vireo.gateway.routes[0].path", "/hello/**")
              .set("vireo.gateway.routes[0].uri", backend.uri())
              .build()
              .start();
      try {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.getCertificate());
        TrustManagerFactory factory =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, factory.getTrustManagers(), null);
        HttpClient client =
            HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_2).build();
        HttpResponse<String> response =
            client.send(
                HttpRequest.newBuilder(
                        URI.create("https://127.0.0.1:" + gateway.port() + "/hello/x"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(response.body()).isEqualTo("hello from tls");
        assertThat(gateway.instance().orElseThrow().metadata()).containsEntry("scheme", "https");
      } finally {
        gateway.stop();
      }
    }
  }
}
