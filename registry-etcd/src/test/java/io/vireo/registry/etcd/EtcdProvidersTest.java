package io.vireo.registry.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.Auth;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.config.Config;
import io.vireo.registry.Registry;
import io.vireo.registry.ServiceInstance;
import io.vireo.registry.spi.RegistryProvider;
import io.vireo.testing.etcd.EtcdExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.test.StepVerifier;

/** The registry made from configuration by its provider: keys, prefix, user auth, validation. */
class EtcdProvidersTest {
  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  private static final Duration BLOCK = Duration.ofSeconds(10);
  private static final String PASSWORD = "s3cret-" + UUID.randomUUID();

  /** etcd with authentication on: a root user, and nothing readable without it. */
  @BeforeAll
  static void enableAuth() throws Exception {
    try (Client admin = Client.builder().endpoints(ETCD.endpoint()).build()) {
      Auth auth = admin.getAuthClient();
      auth.roleAdd(text("root")).get(10, TimeUnit.SECONDS);
      auth.userAdd(text("root"), text(PASSWORD)).get(10, TimeUnit.SECONDS);
      auth.userGrantRole(text("root"), text("root")).get(10, TimeUnit.SECONDS);
      auth.authEnable().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void providerNamedEtcdReadsThePrefixAndCredentialsFromConfig() throws Exception {
    String service = "cfg-" + UUID.randomUUID().toString().substring(0, 8);
    Registry registry =
        provider()
            .create(
                Config.of(
                    Map.of(
                        "vireo.registry.etcd.endpoints", ETCD.endpoint(),
                        "vireo.registry.etcd.prefix", "/custom/services",
                        "vireo.registry.etcd.lease-ttl", "3s",
                        "vireo.registry.etcd.user", "root",
                        "vireo.registry.etcd.password", PASSWORD)));
    try (Client plain =
        Client.builder()
            .endpoints(ETCD.endpoint())
            .user(text("root"))
            .password(text(PASSWORD))
            .build()) {
      registry.register(instance(service)).block(BLOCK);
      assertThat(
              plain
                  .getKVClient()
                  .get(text("/custom/services/" + service + "/i-1"))
                  .get(10, TimeUnit.SECONDS)
                  .getKvs())
          .hasSize(1);
      assertThat(registry.services().block(BLOCK)).contains(service);
      assertThat(registry.instances(service).block(BLOCK)).containsExactly(instance(service));
    } finally {
      registry.close().block(BLOCK);
    }
  }

  @Test
  void withoutCredentialsAnAuthEnabledEtcdRefusesWithAClearError() {
    Registry registry =
        EtcdRegistry.builder()
            .endpoints(ETCD.endpoint())
            .connectionTimeout(Duration.ofSeconds(5))
            .build();
    try {
      StepVerifier.create(registry.register(instance("refused")))
          .expectErrorSatisfies(
              error -> {
                assertThat(error).isInstanceOf(VireoException.class);
                assertThat(((VireoException) error).status()).isEqualTo(Status.UNAUTHENTICATED);
                assertThat(error.getMessage())
                    .contains(
                        ETCD.endpoint(),
                        "requires authentication",
                        "vireo.registry.etcd.user",
                        "vireo.registry.etcd.password");
              })
          .verify(BLOCK);
    } finally {
      registry.close().block(BLOCK);
    }
  }

  @Test
  void aWrongPasswordIsRefusedNamingTheUser() {
    Registry registry =
        EtcdRegistry.builder()
            .endpoints(ETCD.endpoint())
            .auth("root", "wrong")
            .connectionTimeout(Duration.ofSeconds(5))
            .build();
    try {
      StepVerifier.create(registry.register(instance("wrong")))
          .expectErrorSatisfies(
              error -> {
                assertThat(((VireoException) error).status()).isEqualTo(Status.UNAUTHENTICATED);
                assertThat(error.getMessage())
                    .contains("user root", "vireo.registry.etcd.password")
                    .doesNotContain("wrong");
              })
          .verify(BLOCK);
    } finally {
      registry.close().block(BLOCK);
    }
  }

  @Test
  void badSettingsFailWithTheKeyAndWhatWasExpected() {
    assertThatThrownBy(
            () -> provider().create(Config.of(Map.of("vireo.registry.etcd.lease-ttl", "500ms"))))
        .hasMessage("leaseTtl: PT0.5S (expected: >= 1s; etcd counts leases in whole seconds)");
    assertThatThrownBy(
            () -> provider().create(Config.of(Map.of("vireo.registry.etcd.prefix", "services"))))
        .hasMessageContaining("expected: a key path such as /services");
    assertThatThrownBy(
            () ->
                provider()
                    .create(Config.of(Map.of("vireo.registry.etcd.endpoints", "127.0.0.1:2379"))))
        .hasMessageContaining("expected: http://host:port or https://host:port");
    assertThatThrownBy(
            () -> provider().create(Config.of(Map.of("vireo.registry.etcd.user", "root"))))
        .hasMessageContaining("expected: both, or neither");
    assertThatThrownBy(
            () ->
                provider()
                    .create(
                        Config.of(
                            Map.of("vireo.registry.etcd.tls.ca-file", "/nonexistent/ca.pem"))))
        .hasMessageContaining("/nonexistent/ca.pem (expected: a readable PEM file)");
  }

  @Test
  void aClosedRegistryFailsWithUnavailable() {
    Registry registry = EtcdRegistry.builder().endpoints(ETCD.endpoint()).build();
    registry.close().block(BLOCK);
    StepVerifier.create(registry.register(instance("closed")))
        .expectErrorSatisfies(
            error -> assertThat(((VireoException) error).status()).isEqualTo(Status.UNAVAILABLE))
        .verify(BLOCK);
  }

  @Test
  void anIdWithASlashIsRefused() {
    Registry registry = EtcdRegistry.builder().endpoints(ETCD.endpoint()).build();
    try {
      ServiceInstance bad =
          new ServiceInstance(
              "svc", "a/b", "127.0.0.1", 7400, "rsocket", "1.0.0", 100, Map.of(), List.of());
      StepVerifier.create(registry.register(bad))
          .expectErrorSatisfies(
              error ->
                  assertThat(((VireoException) error).status()).isEqualTo(Status.INVALID_ARGUMENT))
          .verify(BLOCK);
    } finally {
      registry.close().block(BLOCK);
    }
  }

  private static RegistryProvider provider() {
    return ServiceLoader.load(RegistryProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(provider -> provider.name().equals("etcd"))
        .findFirst()
        .orElseThrow();
  }

  private static ByteSequence text(String value) {
    return ByteSequence.from(value, StandardCharsets.UTF_8);
  }

  private static ServiceInstance instance(String service) {
    return new ServiceInstance(
        service, "i-1", "127.0.0.1", 7400, "rsocket", "1.0.0", 100, Map.of(), List.of());
  }
}
