package io.vireo.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vireo.internal.config.LayeredConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

class LayeredConfigTest {
  @AfterEach
  void clearProperties() {
    System.clearProperty("vireo.test.layer");
  }

  @Test
  void yamlOnTheClasspathIsReadAndFlattened() {
    Config config = Config.builder().build();
    assertThat(config.get("vireo.test.from-yaml")).contains("yes");
    assertThat(config.get("vireo.test.nested.key")).contains("deep");
  }

  @Test
  void layersOverrideInOrder() {
    // vireo.yaml says "yaml"; a system property beats it; the builder beats both
    assertThat(Config.builder().build().get("vireo.test.layer")).contains("yaml");
    System.setProperty("vireo.test.layer", "sysprop");
    assertThat(Config.builder().build().get("vireo.test.layer")).contains("sysprop");
    assertThat(Config.builder().set("vireo.test.layer", "code").build().get("vireo.test.layer"))
        .contains("code");
    assertThat(
            Config.builder()
                .setDefault("vireo.test.only-default", "d")
                .build()
                .get("vireo.test.only-default"))
        .contains("d");
  }

  @Test
  void environmentVariablesMapToDashCaseKeysBetweenYamlAndSystemProperties() {
    Map<String, String> env =
        Map.of("VIREO_REGISTRY_ZOOKEEPER_BASE_PATH", "/env", "VIREO_TEST_LAYER", "env");
    assertThat(
            LayeredConfig.builder()
                .environment(env)
                .build()
                .get("vireo.registry.zookeeper.base-path"))
        .contains("/env");
    assertThat(LayeredConfig.builder().environment(env).build().get("vireo.test.layer"))
        .contains("env");
    System.setProperty("vireo.test.layer", "sysprop");
    assertThat(LayeredConfig.builder().environment(env).build().get("vireo.test.layer"))
        .contains("sysprop");
  }

  @Test
  void typedValuesExplainBadInput() {
    Config config =
        Config.of(Map.of("a.timeout", "250ms", "a.minutes", "2m", "a.bad", "soon", "a.n", "x"));
    assertThat(config.getDuration("a.timeout", Duration.ZERO)).isEqualTo(Duration.ofMillis(250));
    assertThat(config.getDuration("a.minutes", Duration.ZERO)).isEqualTo(Duration.ofMinutes(2));
    assertThat(config.getDuration("a.missing", Duration.ofSeconds(5)))
        .isEqualTo(Duration.ofSeconds(5));
    assertThatThrownBy(() -> config.getDuration("a.bad", Duration.ZERO))
        .hasMessageStartingWith("a.bad: 'soon' (expected: a duration: ");
    assertThatThrownBy(() -> config.getInt("a.n", 0)).hasMessage("a.n: 'x' (expected: an integer)");
  }

  @Test
  void subsetStripsThePrefix() {
    Config config =
        Config.of(
            Map.of(
                "vireo.broker.kafka.producer.linger.ms",
                "5",
                "vireo.broker.kafka.producer.acks",
                "all",
                "vireo.broker.kafka.bootstrap-servers",
                "x"));
    assertThat(config.subset("vireo.broker.kafka.producer"))
        .containsOnly(Map.entry("linger.ms", "5"), Map.entry("acks", "all"));
  }

  @Test
  void dynamicSourceSitsBelowCodeAndPushesChanges() {
    Map<String, String> values =
        new ConcurrentHashMap<>(Map.of("vireo.test.limit", "10", "vireo.test.fixed", "dyn"));
    Sinks.Many<Set<String>> changes = Sinks.many().multicast().onBackpressureBuffer();
    ConfigSource source =
        new ConfigSource() {
          @Override
          public String name() {
            return "test";
          }

          @Override
          public Map<String, String> properties() {
            return values;
          }

          @Override
          public Flux<Set<String>> changes() {
            return changes.asFlux();
          }

          @Override
          public Mono<Void> close() {
            return Mono.empty();
          }
        };
    Config config = Config.builder().source(source).set("vireo.test.fixed", "code").build();
    assertThat(config.get("vireo.test.fixed")).contains("code");
    StepVerifier.create(config.watch("vireo.test.limit").take(2))
        .expectNext(Optional.of("10"))
        .then(
            () -> {
              values.put("vireo.test.limit", "20");
              changes.tryEmitNext(Set.of("vireo.test.limit"));
            })
        .expectNext(Optional.of("20"))
        .verifyComplete();
  }
}
