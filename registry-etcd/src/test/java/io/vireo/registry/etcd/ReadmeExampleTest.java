package io.vireo.registry.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.vireo.config.Config;
import io.vireo.registry.Registry;
import io.vireo.registry.ServiceInstance;
import io.vireo.testing.etcd.EtcdExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.Disposable;

/** The README's snippets, run against a real etcd, so that they keep compiling and working. */
class ReadmeExampleTest {
  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  @Test
  void registrySnippetRegistersAndWatches() {
    Registry registry =
        EtcdRegistry.builder().endpoints(ETCD.endpoint()).leaseTtl(Duration.ofSeconds(10)).build();

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
          .atMost(Duration.ofSeconds(10))
          .until(() -> !seen.isEmpty() && seen.get(seen.size() - 1).equals(List.of(me)));
    } finally {
      watching.dispose();
      registry.close().block(Duration.ofSeconds(10));
    }
  }

  @Test
  void configSnippetWatchesAKey() throws Exception {
    try (Client admin = Client.builder().endpoints(ETCD.endpoint()).build()) {
      admin
          .getKVClient()
          .put(PrefixCache.bytes("/vireo/config/orders"), PrefixCache.bytes("orders.max-batch=50"))
          .get(10, TimeUnit.SECONDS);

      EtcdConfigSource etcd =
          EtcdConfigSource.builder().endpoints(ETCD.endpoint()).service("orders").build();
      Config config = Config.builder().standardSources(false).source(etcd).build();
      List<Optional<String>> seen = new CopyOnWriteArrayList<>();
      Disposable watching = config.watch("orders.max-batch").subscribe(seen::add);
      try {
        // what `etcdctl put /vireo/config/orders/orders.max-batch 80` does
        admin
            .getKVClient()
            .put(
                PrefixCache.bytes("/vireo/config/orders/orders.max-batch"), PrefixCache.bytes("80"))
            .get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(Optional.of("80")));
        assertThat(seen.get(0)).contains("50");
      } finally {
        watching.dispose();
        etcd.close().block(Duration.ofSeconds(10));
      }
    }
  }
}
