package io.vireo.registry.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.config.Config;
import io.vireo.config.ConfigSource;
import io.vireo.config.spi.ConfigSourceProvider;
import io.vireo.testing.zookeeper.ZooKeeperExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.Disposable;

/** The config center on a real ZooKeeper, through the {@code zookeeper} config source provider. */
class ZooKeeperConfigSourceTest {
  @RegisterExtension static final ZooKeeperExtension ZK = new ZooKeeperExtension();

  private CuratorFramework admin;
  private String root;
  private final List<ConfigSource> sources = new ArrayList<>();
  private final List<Disposable> subscriptions = new ArrayList<>();

  @BeforeEach
  void setUp() {
    admin =
        CuratorFrameworkFactory.newClient(ZK.connectString(), 3000, 2000, new RetryOneTime(100));
    admin.start();
    root = "/vireo-" + UUID.randomUUID().toString().substring(0, 8) + "/config";
  }

  @AfterEach
  void tearDown() {
    subscriptions.forEach(Disposable::dispose);
    sources.forEach(source -> source.close().block(Duration.ofSeconds(10)));
    admin.close();
  }

  @Test
  void serviceNodeOverridesSharedNodeInPropertiesAndYaml() throws Exception {
    write("shared", "greeting=hello\nlimit=10\n");
    write("orders", "limit: 20\nbatch:\n  size: 5\n");

    Config config = configFor("orders");

    assertThat(config.get("greeting")).contains("hello");
    assertThat(config.get("limit")).contains("20");
    assertThat(config.get("batch.size")).contains("5");
  }

  @Test
  void theDefaultRootIsVireoConfig() throws Exception {
    String service = "svc-" + UUID.randomUUID().toString().substring(0, 8);
    admin
        .create()
        .creatingParentsIfNeeded()
        .forPath("/vireo/config/" + service, "answer=42".getBytes(StandardCharsets.UTF_8));
    ConfigSource source =
        provider()
            .create(
                Config.of(
                    Map.of(
                        "vireo.registry.zookeeper.connect",
                        ZK.connectString(),
                        "vireo.service.name",
                        service)));
    sources.add(source);
    assertThat(source.properties()).containsEntry("answer", "42");
  }

  @Test
  void aLiveChangeReachesConfigWatch() throws Exception {
    write("shared", "limit=10\n");
    write("orders", "limit=20\n");
    Config config = configFor("orders");
    List<Optional<String>> seen = new CopyOnWriteArrayList<>();
    subscriptions.add(config.watch("limit").subscribe(seen::add));
    await().atMost(Duration.ofSeconds(5)).until(() -> seen.equals(List.of(Optional.of("20"))));

    write("orders", "limit=30\n");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> seen.get(seen.size() - 1).equals(Optional.of("30")));

    write("orders", "other=1\n"); // the service no longer sets it: the shared value shows
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> seen.get(seen.size() - 1).equals(Optional.of("10")));

    admin.delete().forPath(root + "/shared");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> seen.get(seen.size() - 1).equals(Optional.empty()));
    assertThat(seen)
        .containsExactly(Optional.of("20"), Optional.of("30"), Optional.of("10"), Optional.empty());
  }

  @Test
  void nodesCreatedAfterStartAreRead() throws Exception {
    Config config = configFor("late");
    assertThat(config.get("flag")).isEmpty();

    write("late", "flag=on\n");

    await().atMost(Duration.ofSeconds(5)).until(() -> config.get("flag").equals(Optional.of("on")));
  }

  @Test
  void unreadableTextKeepsTheLastValues() throws Exception {
    write("broken", "limit=1\n");
    Config config = configFor("broken");
    write("broken", "key: [unclosed\n  - : :\n\tx");
    write("broken", "limit=2\n");
    await().atMost(Duration.ofSeconds(5)).until(() -> config.get("limit").equals(Optional.of("2")));
  }

  @Test
  void unreachableZooKeeperFailsWithUnavailable() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Config config =
        Config.of(
            Map.of(
                "vireo.config.zookeeper.connect",
                "127.0.0.1:" + port,
                "vireo.config.zookeeper.connection-timeout",
                "500ms"));
    assertThatThrownBy(() -> provider().create(config))
        .isInstanceOfSatisfying(
            VireoException.class, e -> assertThat(e.status()).isEqualTo(Status.UNAVAILABLE))
        .hasMessageContaining("127.0.0.1:" + port)
        .hasMessageContaining("vireo.config.zookeeper.connect");
  }

  private Config configFor(String service) {
    ConfigSource source =
        provider()
            .create(
                Config.of(
                    Map.of(
                        "vireo.registry.zookeeper.connect",
                        ZK.connectString(),
                        "vireo.config.zookeeper.root",
                        root,
                        "vireo.config.zookeeper.session-timeout",
                        "3s",
                        "vireo.service.name",
                        service)));
    sources.add(source);
    return Config.builder().standardSources(false).source(source).build();
  }

  private static ConfigSourceProvider provider() {
    return ServiceLoader.load(ConfigSourceProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(provider -> provider.name().equals("zookeeper"))
        .findFirst()
        .orElseThrow();
  }

  private void write(String node, String text) throws Exception {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    String path = root + "/" + node;
    if (admin.checkExists().forPath(path) == null) {
      admin.create().creatingParentsIfNeeded().forPath(path, bytes);
    } else {
      admin.setData().forPath(path, bytes);
    }
  }
}
