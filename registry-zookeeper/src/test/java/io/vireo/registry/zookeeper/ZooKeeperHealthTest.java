package io.vireo.registry.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vireo.RpcService;
import io.vireo.Service;
import io.vireo.testing.zookeeper.ZooKeeperExtension;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;

/**
 * The admin endpoint's readiness follows the ZooKeeper session: not ready while ZooKeeper is down,
 * ready again after.
 */
class ZooKeeperHealthTest {
  @RegisterExtension static final ZooKeeperExtension ZK = new ZooKeeperExtension();

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  record Ping(String from) {}

  record Pong(String by) {}

  @RpcService("vireo.test.zk.Health")
  public interface Echo {
    Mono<Pong> ping(Ping ping);
  }

  private Service service;

  @AfterEach
  void stop() {
    if (service != null) {
      service.stop();
    }
  }

  @Test
  void healthIsNotReadyWhileZooKeeperIsUnreachable() throws Exception {
    service =
        Service.builder("health-" + System.nanoTime())
            .handle(Echo.class, ping -> Mono.just(new Pong("me")))
            .set("vireo.registry", "zookeeper")
            .set("vireo.registry.zookeeper.connect", ZK.connectString())
            .set("vireo.registry.zookeeper.session-timeout", "2s")
            .set("vireo.registry.zookeeper.connection-timeout", "2s")
            .set("vireo.transport", "memory")
            .set("vireo.codec", "json")
            .set("vireo.server.shutdown-timeout", "2s")
            .set("vireo.admin.port", "0")
            .build()
            .start();
    assertThat(get("/health").statusCode()).isEqualTo(200);

    ZK.stop();
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(() -> assertThat(get("/health").statusCode()).isEqualTo(503));
    JsonNode body = new ObjectMapper().readTree(get("/health").body());
    assertThat(body.get("checks").get("registry").asBoolean()).isFalse();
    assertThat(body.get("live").asBoolean()).isTrue();
    assertThat(get("/health/live").statusCode()).isEqualTo(200);

    ZK.restart();
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(get("/health/ready").statusCode()).isEqualTo(200));
  }

  private HttpResponse<String> get(String path) throws Exception {
    InetSocketAddress admin = service.adminAddress().orElseThrow();
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort() + path))
            .timeout(Duration.ofSeconds(10))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
