package io.vireo.registry.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vireo.RpcService;
import io.vireo.Service;
import io.vireo.registry.ServiceInstance;
import io.vireo.testing.zookeeper.ZooKeeperExtension;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;

/**
 * {@code POST /admin/offline} and {@code /admin/online} against a real ZooKeeper, as a deploy's
 * preStop uses them.
 */
class ZooKeeperAdminOfflineTest {
  @RegisterExtension static final ZooKeeperExtension ZK = new ZooKeeperExtension();

  private static final Duration CALL = Duration.ofSeconds(5);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(CALL).build();

  record Ping(String from) {}

  record Pong(String by) {}

  @RpcService("vireo.test.zk.Echo")
  public interface Echo {
    Mono<Pong> ping(Ping ping);
  }

  private final List<Service> services = new ArrayList<>();

  @AfterEach
  void tearDown() {
    services.forEach(Service::stop);
  }

  private Service start(String name, String by, boolean admin) {
    Service.Builder builder =
        Service.builder(name)
            .set("vireo.registry", "zookeeper")
            .set("vireo.registry.zookeeper.connect", ZK.connectString())
            .set("vireo.transport", "rsocket")
            .set("vireo.codec", "json")
            .handle(Echo.class, ping -> Mono.just(new Pong(by)));
    if (admin) {
      builder.set("vireo.admin.port", "0");
    }
    Service service = builder.build().start();
    services.add(service);
    return service;
  }

  private static HttpResponse<String> send(Service service, String method, String path)
      throws Exception {
    InetSocketAddress admin = service.adminAddress().orElseThrow();
    URI uri = URI.create("http://127.0.0.1:" + admin.getPort() + path);
    return HTTP.send(
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(10))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void offlineTakesTheInstanceOutOfZooKeeperAndClientsStopCallingItThenOnlineBringsItBack()
      throws Exception {
    String name = "echo-" + UUID.randomUUID().toString().substring(0, 8);
    Service first = start(name, "first", true);
    start(name, "second", false);
    Service caller =
        Service.builder("caller-" + UUID.randomUUID().toString().substring(0, 8))
            .set("vireo.registry", "zookeeper")
            .set("vireo.registry.zookeeper.connect", ZK.connectString())
            .set("vireo.transport", "rsocket")
            .set("vireo.codec", "json")
            .build()
            .start();
    services.add(caller);
    Echo echo = caller.client(name, Echo.class);
    List<String> by = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              by.add(echo.ping(new Ping("c")).block(CALL).by());
              return by.contains("first") && by.contains("second");
            });
    // the admin port is in the registered payload, where the CLI looks for it
    assertThat(caller.registry().instances(name).block(CALL))
        .filteredOn(i -> i.id().equals(first.instance().orElseThrow().id()))
        .singleElement()
        .satisfies(
            i ->
                assertThat(i.metadata().get(ServiceInstance.ADMIN_PORT_METADATA))
                    .isEqualTo(Integer.toString(first.adminAddress().orElseThrow().getPort())));
    assertThat(send(first, "GET", "/health/startup").statusCode()).isEqualTo(200);

    assertThat(send(first, "POST", "/admin/offline").statusCode()).isEqualTo(200);
    assertThat(caller.registry().instances(name).block(CALL))
        .extracting(ServiceInstance::id)
        .doesNotContain(first.instance().orElseThrow().id())
        .hasSize(1);
    assertThat(send(first, "GET", "/health/ready").statusCode()).isEqualTo(503);
    // the caller's watch sees it gone: every call goes to the second, while the first still runs
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              List<String> after = new ArrayList<>();
              for (int i = 0; i < 6; i++) {
                after.add(echo.ping(new Ping("c")).block(CALL).by());
              }
              assertThat(after).containsOnly("second");
            });
    assertThat(first.isRunning()).isTrue();

    assertThat(send(first, "POST", "/admin/online").statusCode()).isEqualTo(200);
    assertThat(send(first, "GET", "/health/ready").statusCode()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> "first".equals(echo.ping(new Ping("c")).block(CALL).by()));
  }
}
