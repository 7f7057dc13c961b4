package io.vireo.registry.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vireo.config.Config;
import io.vireo.registry.Registry;
import io.vireo.registry.ServiceInstance;
import io.vireo.testing.zookeeper.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.Disposable;

/** The README's snippets, run against a real ZooKeeper, so that they keep compiling and working. */
class ReadmeExampleTest {
  @RegisterExtension static final ZooKeeperExtension ZK = new ZooKeeperExtension();

  @Test
  void registrySnippetRegistersAndWatches() {
    Registry registry =
        ZooKeeperRegistry.builder()
            .connect(ZK.connectString())
            .sessionTimeout(Duration.ofSeconds(10))
            .build();

    ServiceInstance me =
        new ServiceInstance(
            "greeter",
            "greeter-1",
            "10.0.0.12",
            7000,
            "rsocket",
            "1.2.0",
            ServiceInstance.DEFAULT_WEIGHT,
            Map.of("zone", "eu-1"),
            List.of("vireo.samples.greeter.Greeter.SayHello"));
    registry.register(me).block(Duration.ofSeconds(10));

    List<List<ServiceInstance>> seen = new CopyOnWriteArrayList<>();
    Disposable watching = registry.watch("greeter").subscribe(seen::add);
    try {
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> !seen.isEmpty() && seen.get(seen.size() - 1).equals(List.of(me)));
    } finally {
      watching.dispose();
      registry.close().block(Duration.ofSeconds(10));
    }
  }

  @Test
  void configSnippetWatchesAKey() throws Exception {
    try (var admin = CuratorFrameworkFactory.newClient(ZK.connectString(), new RetryOneTime(100))) {
      admin.start();
      admin
          .create()
          .creatingParentsIfNeeded()
          .forPath("/vireo/config/orders", "orders.max-batch=50".getBytes(StandardCharsets.UTF_8));

      ZooKeeperConfigSource zk =
          ZooKeeperConfigSource.builder().connect(ZK.connectString()).service("orders").build();
      Config config = Config.builder().standardSources(false).source(zk).build();
      List<Optional<String>> seen = new CopyOnWriteArrayList<>();
      Disposable watching = config.watch("orders.max-batch").subscribe(seen::add);
      try {
        admin
            .setData()
            .forPath(
                "/vireo/config/orders", "orders.max-batch=80".getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains(Optional.of("80")));
        assertThat(seen.get(0)).contains("50");
      } finally {
        watching.dispose();
        zk.close().block(Duration.ofSeconds(10));
      }
    }
  }
}
