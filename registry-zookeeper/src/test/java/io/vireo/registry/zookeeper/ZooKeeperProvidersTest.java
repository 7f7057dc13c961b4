package io.vireo.registry.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.config.Config;
import io.vireo.registry.Registry;
import io.vireo.registry.ServiceInstance;
import io.vireo.registry.spi.RegistryProvider;
import io.vireo.testing.zookeeper.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.UUID;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.test.StepVerifier;

/**
 * The registry made from configuration by its provider: keys, base path, digest auth, validation.
 */
class ZooKeeperProvidersTest {
  @RegisterExtension static final ZooKeeperExtension ZK = new ZooKeeperExtension();

  private static final Duration BLOCK = Duration.ofSeconds(10);

  @Test
  void providerNamedZookeeperReadsTheBasePathFromConfig() throws Exception {
    String service = "cfg-" + UUID.randomUUID().toString().substring(0, 8);
    Registry registry =
        provider()
            .create(
                Config.of(
                    Map.of(
                        "vireo.registry.zookeeper.connect", ZK.connectString(),
                        "vireo.registry.zookeeper.base-path", "/custom/services",
                        "vireo.registry.zookeeper.session-timeout", "3s")));
    try (CuratorFramework plain = plainClient()) {
      registry.register(instance(service)).block(BLOCK);
      assertThat(plain.checkExists().forPath("/custom/services/" + service + "/i-1")).isNotNull();
      assertThat(registry.services().block(BLOCK)).contains(service);
    } finally {
      registry.close().block(BLOCK);
    }
  }

  @Test
  void digestAuthLetsOthersReadButNotWrite() throws Exception {
    String service = "secure-" + UUID.randomUUID().toString().substring(0, 8);
    String path = "/secure/" + service + "/i-1";
    Registry registry =
        provider()
            .create(
                Config.of(
                    Map.of(
                        "vireo.registry.zookeeper.connect", ZK.connectString(),
                        "vireo.registry.zookeeper.base-path", "/secure",
                        "vireo.registry.zookeeper.auth.digest", "vireo:s3cret")));
    try (CuratorFramework anonymous = plainClient()) {
      registry.register(instance(service)).block(BLOCK);

      List<ACL> acls = anonymous.getACL().forPath(path);
      assertThat(acls)
          .extracting(acl -> acl.getId().getScheme() + ":" + acl.getPerms())
          .containsExactlyInAnyOrder("digest:" + ZooDefs.Perms.ALL, "world:" + ZooDefs.Perms.READ);
      assertThat(new String(anonymous.getData().forPath(path), StandardCharsets.UTF_8))
          .contains("\"address\":\"127.0.0.1\"");
      assertThatThrownBy(() -> anonymous.setData().forPath(path, new byte[0]))
          .isInstanceOf(KeeperException.NoAuthException.class);
      assertThatThrownBy(() -> anonymous.create().forPath("/secure/" + service + "/intruder"))
          .isInstanceOf(KeeperException.NoAuthException.class);
    } finally {
      registry.close().block(BLOCK);
    }
  }

  @Test
  void badSettingsFailWithTheKeyAndWhatWasExpected() {
    assertThatThrownBy(
            () ->
                provider()
                    .create(Config.of(Map.of("vireo.registry.zookeeper.session-timeout", "0s"))))
        .hasMessage("sessionTimeout: 0s (expected: > 0)");
    assertThatThrownBy(
            () ->
                provider()
                    .create(Config.of(Map.of("vireo.registry.zookeeper.base-path", "services"))))
        .hasMessageContaining("expected: an absolute znode path");
    assertThatThrownBy(
            () ->
                provider()
                    .create(
                        Config.of(Map.of("vireo.registry.zookeeper.auth.digest", "nopassword"))))
        .hasMessageContaining("expected: user:password")
        .hasMessageNotContaining("nopassword");
  }

  @Test
  void aShortSessionTimeoutShortensTheDefaultConnectionTimeout() {
    // the samples' 4s session: Curator warns when the connection timeout (5s by default) is longer
    ClientSettings derived =
        ClientSettings.from(
            Config.of(Map.of("vireo.registry.zookeeper.session-timeout", "4s")),
            ZooKeeperRegistry.CONFIG_PREFIX,
            ClientSettings.defaults());
    assertThat(derived.connectionTimeout()).isEqualTo(Duration.ofSeconds(4));
    ClientSettings given =
        ClientSettings.from(
            Config.of(
                Map.of(
                    "vireo.registry.zookeeper.session-timeout",
                    "4s",
                    "vireo.registry.zookeeper.connection-timeout",
                    "1s")),
            ZooKeeperRegistry.CONFIG_PREFIX,
            ClientSettings.defaults());
    assertThat(given.connectionTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(ClientSettings.defaults().connectionTimeout()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void aClosedRegistryFailsWithUnavailable() {
    Registry registry = ZooKeeperRegistry.builder().connect(ZK.connectString()).build();
    registry.close().block(BLOCK);
    StepVerifier.create(registry.register(instance("closed")))
        .expectErrorSatisfies(
            error -> assertThat(((VireoException) error).status()).isEqualTo(Status.UNAVAILABLE))
        .verify(BLOCK);
  }

  private static RegistryProvider provider() {
    return ServiceLoader.load(RegistryProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(provider -> provider.name().equals("zookeeper"))
        .findFirst()
        .orElseThrow();
  }

  private static CuratorFramework plainClient() {
    CuratorFramework client =
        CuratorFrameworkFactory.newClient(ZK.connectString(), 3000, 2000, new RetryOneTime(100));
    client.start();
    return client;
  }

  private static ServiceInstance instance(String service) {
    return new ServiceInstance(
        service, "i-1", "127.0.0.1", 7400, "rsocket", "1.0.0", 100, Map.of(), List.of());
  }
}
