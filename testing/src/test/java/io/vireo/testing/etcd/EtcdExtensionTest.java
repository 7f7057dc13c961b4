package io.vireo.testing.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The extension runs a real etcd that keeps its data across stop, kill and restart. */
class EtcdExtensionTest {
  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void keysSurviveAStopAKillAndRestartsOnTheSamePort() throws Exception {
    int port = ETCD.port();
    put("/test/greeting", "hello");

    ETCD.stop();
    assertThat(ETCD.isRunning()).isFalse();
    assertThatThrownBy(() -> get("/test/greeting")).isInstanceOf(IOException.class);
    ETCD.restart();
    assertThat(get("/test/greeting")).isEqualTo("hello");

    ETCD.kill();
    ETCD.restart();
    assertThat(ETCD.port()).isEqualTo(port);
    assertThat(get("/test/greeting")).isEqualTo("hello");
    assertThat(ETCD.logFile()).exists();
  }

  @Test
  void aMissingBinaryFailsSayingHowToInstallEtcd() {
    String previous = System.getProperty(EtcdExtension.BINARY_PROPERTY);
    System.setProperty(EtcdExtension.BINARY_PROPERTY, "/nonexistent/etcd");
    try {
      assertThatThrownBy(EtcdExtension::binary)
          .hasMessageContaining("/nonexistent/etcd")
          .hasMessageContaining("apt-get install --no-install-recommends etcd-server");
    } finally {
      if (previous == null) {
        System.clearProperty(EtcdExtension.BINARY_PROPERTY);
      } else {
        System.setProperty(EtcdExtension.BINARY_PROPERTY, previous);
      }
    }
  }

  /** etcd's JSON gateway (v3 API over HTTP): keys and values in base64. */
  private void put(String key, String value) throws Exception {
    String body = "{\"key\":\"" + base64(key) + "\",\"value\":\"" + base64(value) + "\"}";
    HttpResponse<String> response =
        http.send(request("/v3/kv/put", body), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  private String get(String key) throws Exception {
    HttpResponse<String> response =
        http.send(
            request("/v3/kv/range", "{\"key\":\"" + base64(key) + "\"}"),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    String marker = "\"value\":\"";
    int start = response.body().indexOf(marker);
    assertThat(start).as(response.body()).isPositive();
    String encoded =
        response
            .body()
            .substring(
                start + marker.length(), response.body().indexOf('"', start + marker.length()));
    return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
  }

  private HttpRequest request(String path, String body) {
    return HttpRequest.newBuilder(URI.create(ETCD.endpoint() + path))
        .timeout(Duration.ofSeconds(5))
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
