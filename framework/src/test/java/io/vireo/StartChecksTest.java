package io.vireo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vireo.config.Values;
import io.vireo.internal.config.KnownKeys;
import io.vireo.internal.config.LayeredConfig;
import io.vireo.internal.runtime.ServiceRuntime;
import io.vireo.registry.memory.MemoryRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Configuration mistakes fail or warn at start, naming the key (issue 12), and the messages a new
 * user meets say what to do.
 */
class StartChecksTest {
  record Ping(String text) {}

  @RpcService("vireo.test.Echo")
  public interface Echo {
    Mono<Ping> echo(Ping ping);
  }

  /** On the embedded memory parts, JSON for the records. */
  static Service.Builder builder(String name) {
    return Service.builder(name)
        .registry(MemoryRegistry.newStore())
        .set("vireo.transport", "memory")
        .set("vireo.codec", "json");
  }

  @Test
  void aMisspeltKeyIsAWarningNamingTheNearestKnownKey() {
    try (LogCapture log = new LogCapture(KnownKeys.class)) {
      Service service =
          builder("typo")
              .set("vireo.tranport", "grpc")
              .set("vireo.client.services.greeter.timeout", "2s") // map-like: any service name
              .set("vireo.server.endpoints.pkg.Greeter.SayHello.rate-limiter.limit-for-period", "5")
              .build()
              .start();
      service.stop();
      assertThat(log.lines())
          .anyMatch(
              line ->
                  line.startsWith("WARN")
                      && line.contains("unknown configuration key vireo.tranport")
                      && line.contains("did you mean vireo.transport?"));
      assertThat(log.lines())
          .noneMatch(
              line ->
                  line.contains("vireo.client.services")
                      || line.contains("vireo.server.endpoints"));
    }
  }

  @Test
  void anEnvironmentVariableIsCheckedAsTheKeyItSpells() {
    KnownKeys known = KnownKeys.load();
    assertThat(known.known("VIREO_CLIENT_TIMEOUT")).isTrue();
    assertThat(known.known("VIREO_CLIENT_SERVICES_GREETER_TIMEOUT")).isTrue();
    assertThat(known.known("VIREO_TRANPORT")).isFalse();
    assertThat(known.nearest("VIREO_TRANPORT")).contains("VIREO_TRANSPORT");
    assertThat(known.nearest("vireo.quite.unlike.anything")).isEmpty();
  }

  @Test
  void environmentVariablesOfDashedKeysAreKnown() {
    LayeredConfig config =
        LayeredConfig.builder()
            .environment(
                Map.of(
                    "VIREO_SERVER_ADVERTISE_HOST",
                    "10.0.0.7",
                    "VIREO_SERVER_SHUTDOWN_TIMEOUT",
                    "4s",
                    "VIREO_TRANPORT",
                    "grpc"))
            .build();
    try (LogCapture log = new LogCapture(KnownKeys.class)) {
      KnownKeys.check(config);
      assertThat(log.lines())
          .noneMatch(
              line ->
                  line.contains("ADVERTISE")
                      || line.contains("advertise")
                      || line.contains("SHUTDOWN")
                      || line.contains("shutdown"));
      assertThat(log.lines())
          .filteredOn(line -> line.toUpperCase(Locale.ROOT).contains("TRANPORT"))
          .containsExactly(
              "WARN unknown configuration key VIREO_TRANPORT: did you mean VIREO_TRANSPORT?"
                  + " (no module on the classpath reads it; it is ignored)");
    }
  }

  @Test
  void aMisspeltBrokerFailsAtStartNotAtTheFirstPublish() {
    assertThatThrownBy(() -> builder("events").set("vireo.broker", "kafak").build().start())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown broker 'kafak'")
        .hasMessageContaining("vireo.broker");
  }

  @Test
  void aTimeoutInTheWrongFormFailsAtStartNamingTheKeyAndTheForms() {
    assertThatThrownBy(() -> builder("caller").set("vireo.client.timeout", "5sec").build().start())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("vireo.client.timeout: '5sec' (expected: a duration")
        .hasMessageContaining("5s")
        .hasMessageContaining("PT5S");
  }

  @Test
  void aPortOutOfRangeNamesTheKey() {
    assertThatThrownBy(
            () ->
                builder("echo")
                    .set("vireo.transport", "memory")
                    .set("vireo.server.port", "99999")
                    .handle(Echo.class, ping -> Mono.just(ping))
                    .build()
                    .start())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("vireo.server.port: '99999' (expected: a port, 0 to 65535");
  }

  @Test
  void aTransportOfAModuleNotOnTheClasspathNamesTheModule() {
    assertThatThrownBy(
            () ->
                builder("echo")
                    .set("vireo.transport", "grpc")
                    .handle(Echo.class, ping -> Mono.just(ping))
                    .build()
                    .start())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown transport 'grpc'")
        .hasMessageContaining("io.vireo:vireo-transport-grpc");
    assertThatThrownBy(
            () ->
                builder("echo")
                    .set("vireo.transport", "rsocket")
                    .handle(Echo.class, ping -> Mono.just(ping))
                    .build()
                    .start())
        .hasMessageContaining("io.vireo:vireo-transport-rsocket");
  }

  @Test
  void noInstanceOnTheMemoryRegistrySaysItIsOnePerJvmAndWhichKeyToSet() {
    Service caller = builder("caller").set("vireo.client.retries", "0").build().start();
    try {
      Echo echo = caller.client("inventory", Echo.class);
      StepVerifier.create(echo.echo(new Ping("x")))
          .expectErrorSatisfies(
              e ->
                  assertThat(e)
                      .isInstanceOf(VireoException.class)
                      .hasMessageContaining("no instance of service 'inventory'")
                      .hasMessageContaining("one per JVM")
                      .hasMessageContaining("vireo.registry=zookeeper or etcd"))
          .verify(Duration.ofSeconds(30));
    } finally {
      caller.stop();
    }
  }

  @Test
  void theStartLineHasNoDoubleSpaceWithoutAVersion() {
    try (LogCapture log = new LogCapture(ServiceRuntime.class)) {
      builder("inventory").build().start().stop();
      assertThat(log.lines()).contains("INFO inventory started");
      assertThat(log.lines()).noneMatch(line -> line.contains("  "));
    }
  }

  @Test
  void durationsPrintAsConfigurationWritesThem() {
    assertThat(Values.format(Duration.ofSeconds(5))).isEqualTo("5s");
    assertThat(Values.format(Duration.ofMillis(250))).isEqualTo("250ms");
    assertThat(Values.format(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(Values.format(Duration.ofMinutes(2))).isEqualTo("2m");
    assertThat(Values.format(Duration.ofHours(3))).isEqualTo("3h");
    assertThat(Values.format(Duration.ZERO)).isEqualTo("0s");
    assertThat(Values.format(Duration.ofNanos(1500))).isEqualTo("0.0015ms");
    for (Duration d :
        new Duration[] {
          Duration.ofSeconds(5), Duration.ofMillis(1250), Duration.ofDays(1), Duration.ofMillis(7)
        }) {
      assertThat(Values.parseDuration("k", Values.format(d))).isEqualTo(d);
    }
  }
}
