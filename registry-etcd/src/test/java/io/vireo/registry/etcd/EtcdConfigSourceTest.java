package io.vireo.registry.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.config.Config;
import io.vireo.config.ConfigSource;
import io.vireo.config.spi.ConfigSourceProvider;
import io.vireo.testing.etcd.EtcdExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.Disposable;

/** The config center on a real etcd, through the {@code etcd} config source provider. */
class EtcdConfigSourceTest {
  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  private static final Duration WAIT = Duration.ofSeconds(10);

  private Client admin;
  private String root;
  private final List<ConfigSource> sources = new ArrayList<>();
  private final List<Disposable> subscriptions = new ArrayList<>();

  @BeforeEach
  void setUp() {
    admin = Client.builder().endpoints(ETCD.endpoint()).build();
    root = "/vireo-" + UUID.randomUUID().toString().substring(0, 8) + "/config";
  }

  @AfterEach
  void tearDown() {
    subscriptions.forEach(Disposable::dispose);
    sources.forEach(source -> source.close().block(WAIT));
    admin.close();
  }

  @Test
  void serviceScopeOverridesSharedAndSingleKeysOverrideDocuments() throws Exception {
    put("shared", "greeting=hello\nlimit=10\ntimeout=1s\n");
    put("shared/timeout", "2s");
    put("orders", "limit: 20\nbatch:\n  size: 5\n");
    put("orders/batch.size", "7");
    put("orders-archive/limit", "999"); // another service's scope, sharing the prefix

    Config config = configFor("orders");

    assertThat(config.get("greeting")).contains("hello");
    assertThat(config.get("timeout")).contains("2s");
    assertThat(config.get("limit")).contains("20");
    assertThat(config.get("batch.size")).contains("7");
  }

  @Test
  void theDefaultRootIsVireoConfig() throws Exception {
    String service = "svc-" + UUID.randomUUID().toString().substring(0, 8);
    admin
        .getKVClient()
        .put(PrefixCache.bytes("/vireo/config/" + service), PrefixCache.bytes("answer=42"))
        .get(10, TimeUnit.SECONDS);
    ConfigSource source =
        provider()
            .create(
                Config.of(
                    Map.of(
                        "vireo.registry.etcd.endpoints",
                        ETCD.endpoint(),
                        "vireo.service.name",
                        service)));
    sources.add(source);
    assertThat(source.properties()).containsEntry("answer", "42");
    assertThat(source.name())
        .isEqualTo("etcd:" + ETCD.endpoint() + "/vireo/config/{shared," + service + "}");
  }

  @Test
  void aLiveChangeReachesConfigWatch() throws Exception {
    put("shared", "limit=10\n");
    put("orders", "limit=20\n");
    Config config = configFor("orders");
    List<Optional<String>> seen = new CopyOnWriteArrayList<>();
    subscriptions.add(config.watch("limit").subscribe(seen::add));
    await().atMost(WAIT).until(() -> seen.equals(List.of(Optional.of("20"))));

    put("orders", "limit=30\n");
    await().atMost(WAIT).until(() -> last(seen).equals(Optional.of("30")));

    put("orders/limit", "40");
    await().atMost(WAIT).until(() -> last(seen).equals(Optional.of("40")));

    delete("orders/limit");
    put("orders", "other=1\n"); // the service no longer sets it: the shared value shows
    await().atMost(WAIT).until(() -> last(seen).equals(Optional.of("10")));

    delete("shared");
    await().atMost(WAIT).until(() -> last(seen).equals(Optional.empty()));
    assertThat(seen)
        .startsWith(Optional.of("20"), Optional.of("30"), Optional.of("40"))
        .endsWith(Optional.of("10"), Optional.empty());
  }

  @Test
  void keysWrittenAfterStartAreRead() throws Exception {
    Config config = configFor("late");
    assertThat(config.get("flag")).isEmpty();

    put("late/flag", "on");

    await().atMost(WAIT).until(() -> config.get("flag").equals(Optional.of("on")));
  }

  @Test
  void unreadableDocumentKeepsTheLastValues() throws Exception {
    put("broken", "limit=1\n");
    Config config = configFor("broken");
    put("broken", "key: [unclosed\n  - : :\n\tx");
    put("broken", "limit=2\n");
    await().atMost(WAIT).until(() -> config.get("limit").equals(Optional.of("2")));
  }

  @Test
  void changesMadeWhileEtcdIsDownArriveAfterItsRestart() throws Exception {
    put("outage", "limit=1\n");
    Config config = configFor("outage");

    ETCD.stop();
    assertThat(config.get("limit")).as("served while etcd is down").contains("1");
    ETCD.restart();
    put("outage", "limit=2\n");

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> config.get("limit").equals(Optional.of("2")));
  }

  @Test
  void unreachableEtcdFailsWithUnavailableNamingTheEndpoints() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Config config =
        Config.of(
            Map.of(
                "vireo.config.etcd.endpoints",
                "http://127.0.0.1:" + port,
                "vireo.config.etcd.connection-timeout",
                "1s"));
    assertThatThrownBy(() -> provider().create(config))
        .isInstanceOfSatisfying(
            VireoException.class, e -> assertThat(e.status()).isEqualTo(Status.UNAVAILABLE))
        .hasMessageContaining("http://127.0.0.1:" + port)
        .hasMessageContaining("vireo.config.etcd.endpoints");
  }

  private Config configFor(String service) {
    ConfigSource source =
        provider()
            .create(
                Config.of(
                    Map.of(
                        "vireo.registry.etcd.endpoints", ETCD.endpoint(),
                        "vireo.config.etcd.root", root,
                        "vireo.service.name", service)));
    sources.add(source);
    return Config.builder().standardSources(false).source(source).build();
  }

  private static ConfigSourceProvider provider() {
    return ServiceLoader.load(ConfigSourceProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(provider -> provider.name().equals("etcd"))
        .findFirst()
        .orElseThrow();
  }

  private void put(String key, String text) throws Exception {
    admin
        .getKVClient()
        .put(PrefixCache.bytes(root + "/" + key), PrefixCache.bytes(text))
        .get(10, TimeUnit.SECONDS);
  }

  private void delete(String key) throws Exception {
    admin.getKVClient().delete(PrefixCache.bytes(root + "/" + key)).get(10, TimeUnit.SECONDS);
  }

  private static <T> T last(List<T> list) {
    return list.get(list.size() - 1);
  }
}
