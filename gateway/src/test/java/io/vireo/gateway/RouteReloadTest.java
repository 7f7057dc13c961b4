package io.vireo.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vireo.registry.memory.MemoryRegistry;
import io.vireo.testing.zookeeper.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Routes pushed through the ZooKeeper config center are served without a restart. */
class RouteReloadTest {
  @RegisterExtension static final ZooKeeperExtension ZK = new ZooKeeperExtension();

  private final Backend backend = new Backend("reloaded");
  private CuratorFramework curator;
  private Gateway gateway;

  @BeforeEach
  void start() throws Exception {
    curator = CuratorFrameworkFactory.newClient(ZK.connectString(), new RetryOneTime(100));
    curator.start();
    curator.blockUntilConnected();
    curator
        .create()
        .orSetData()
        .creatingParentsIfNeeded()
        .forPath("/vireo/config/gateway", yaml("/first/**").getBytes(StandardCharsets.UTF_8));
    gateway =
        Gateway.builder()
            .registry(MemoryRegistry.newStore())
            .port(0)
            .host("127.0.0.1")
            .set("vireo.config.sources", "zookeeper")
            .set("vireo.config.zookeeper.connect", ZK.connectString())
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    gateway.stop();
    curator.close();
    backend.close();
  }

  private String yaml(String... paths) {
    StringBuilder yaml = new StringBuilder("vireo:\n  gateway:\n    routes:\n");
    for (int i = 0; i < paths.length; i++) {
      yaml.append("      - id: route")
          .append(i)
          .append('\n')
          .append("        path: ")
          .append(paths[i])
          .append('\n')
          .append("        uri: ")
          .append(backend.uri())
          .append('\n')
          .append("        strip-prefix: 1\n");
    }
    return yaml.toString();
  }

  @Test
  void servesARouteAddedInZooKeeperWithin2sAndKeepsTheOthers() throws Exception {
    assertThat(Http.get(gateway, "/first/hello/a").statusCode()).isEqualTo(200);
    assertThat(Http.get(gateway, "/second/hello/a").statusCode()).isEqualTo(404);

    curator
        .setData()
        .forPath(
            "/vireo/config/gateway",
            yaml("/first/**", "/second/**").getBytes(StandardCharsets.UTF_8));

    await()
        .atMost(Duration.ofSeconds(2))
        .pollInterval(Duration.ofMillis(20))
        .untilAsserted(
            () -> assertThat(Http.get(gateway, "/second/hello/a").statusCode()).isEqualTo(200));
    assertThat(Http.get(gateway, "/first/hello/a").body()).isEqualTo("hello from reloaded");
  }

  @Test
  void aBadPushKeepsTheOldRoutesAndSaysWhatToFix() throws Exception {
    curator
        .setData()
        .forPath(
            "/vireo/config/gateway",
            "vireo:\n  gateway:\n    routes:\n      - path: no-slash\n        uri: http://x\n"
                .getBytes(StandardCharsets.UTF_8));

    await()
        .untilAsserted(
            () ->
                assertThat(gateway.lastReloadError())
                    .hasValueSatisfying(
                        error ->
                            assertThat(error)
                                .contains("vireo.gateway.routes[0].path")
                                .contains("starting with '/'")));
    assertThat(Http.get(gateway, "/first/hello/a").statusCode()).isEqualTo(200);
  }
}
