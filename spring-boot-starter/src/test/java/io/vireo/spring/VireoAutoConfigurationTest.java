package io.vireo.spring;

import static io.vireo.spring.Echo.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.StringValue;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vireo.Service;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.registry.Registry;
import io.vireo.registry.ServiceInstance;
import io.vireo.registry.memory.MemoryRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class VireoAutoConfigurationTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(VireoAutoConfiguration.class));

  @ParameterizedTest
  @ValueSource(strings = {"rsocket", "grpc"})
  void servesVireoServiceBeansAndInjectsClientsOfThem(String transport) {
    String name = "echo-" + transport;
    runner
        .withUserConfiguration(EchoServer.class)
        .withPropertyValues("vireo.service.name=" + name, "vireo.transport=" + transport)
        .run(
            server -> {
              assertThat(server).hasNotFailed();
              ServiceInstance instance = server.getBean(Service.class).instance().orElseThrow();
              assertThat(instance.transport()).isEqualTo(transport);
              runner
                  .withUserConfiguration(Callers.class)
                  .withPropertyValues(
                      "vireo.service.name=caller-" + transport,
                      "vireo.transport=" + transport,
                      "callers.target=" + name)
                  .run(
                      client -> {
                        assertThat(client).hasNotFailed();
                        FieldCaller byField = client.getBean(FieldCaller.class);
                        StepVerifier.create(
                                byField.echo.echo(text("Ada")).map(StringValue::getValue))
                            .expectNext(name + ": Ada")
                            .verifyComplete();
                        StepVerifier.create(
                                byField.echo.repeat(text("Ada")).map(StringValue::getValue))
                            .expectNext(name + ": Ada #1", name + ": Ada #2", name + ": Ada #3")
                            .verifyComplete();
                        ConstructorCaller byParameter = client.getBean(ConstructorCaller.class);
                        StepVerifier.create(
                                byParameter.echo.echo(text("Grace")).map(StringValue::getValue))
                            .expectNext(name + ": Grace")
                            .verifyComplete();
                      });
            });
  }

  @Test
  void deliversEventsToSubscribeMethodsThroughTheMemoryBroker() {
    runner
        .withUserConfiguration(AuditConfig.class)
        .withPropertyValues("vireo.service.name=audit-memory")
        .run(
            context -> {
              Service service = context.getBean(Service.class);
              Audit audit = context.getBean(Audit.class);
              service.publish("spring.greeted", text("Ada")).block(WAIT);
              service.publish("spring.blocking", text("Grace")).block(WAIT);
              await()
                  .atMost(WAIT)
                  .untilAsserted(
                      () ->
                          assertThat(audit.seen)
                              .containsExactlyInAnyOrder("Ada", "blocking Grace"));
            });
  }

  @Test
  void readsVireoKeysFromTheEnvironmentWithEnvironmentVariablesAboveFiles() {
    runner
        .withPropertyValues(
            "vireo.service.name=configured",
            "vireo.client.timeout=3s",
            "vireo.server.weight=3",
            "vireo.server.metadata.zone=eu-1")
        .withInitializer(
            context ->
                context
                    .getEnvironment()
                    .getPropertySources()
                    .addFirst(
                        new SystemEnvironmentPropertySource(
                            "test-environment", Map.of("VIREO_SERVER_WEIGHT", "7"))))
        .run(
            context -> {
              Service service = context.getBean(Service.class);
              assertThat(service.name()).isEqualTo("configured");
              assertThat(service.config().get("vireo.client.timeout")).contains("3s");
              assertThat(service.config().get("vireo.server.weight")).contains("7");
              assertThat(service.config().subset("vireo.server.metadata"))
                  .containsEntry("zone", "eu-1");
            });
  }

  @Test
  void namesTheServiceAfterTheSpringApplicationWithoutVireoServiceName() {
    runner
        .withPropertyValues("spring.application.name=shop")
        .run(context -> assertThat(context.getBean(Service.class).name()).isEqualTo("shop"));
  }

  @Test
  void boundsTheDrainBySpringsShutdownSettings() {
    runner
        .withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=7s")
        .run(
            context ->
                assertThat(
                        context
                            .getBean(Service.class)
                            .config()
                            .get("vireo.server.shutdown-timeout"))
                    .contains("7000ms"));
    runner
        .withPropertyValues("server.shutdown=immediate")
        .run(
            context ->
                assertThat(
                        context
                            .getBean(Service.class)
                            .config()
                            .get("vireo.server.shutdown-timeout"))
                    .contains("1000ms"));
    runner
        .withPropertyValues("server.shutdown=immediate", "vireo.server.shutdown-timeout=2s")
        .run(
            context ->
                assertThat(
                        context
                            .getBean(Service.class)
                            .config()
                            .get("vireo.server.shutdown-timeout"))
                    .contains("2s"));
  }

  @Test
  void startsWithTheContextAndStopsWhenItCloses() {
    Service[] service = new Service[1];
    runner
        .withUserConfiguration(EchoServer.class)
        .withPropertyValues("vireo.service.name=lifecycle")
        .run(
            context -> {
              service[0] = context.getBean(Service.class);
              assertThat(service[0].isRunning()).isTrue();
              assertThat(MemoryRegistry.shared().instances("lifecycle").block(WAIT)).hasSize(1);
            });
    assertThat(service[0].isRunning()).isFalse();
    assertThat(MemoryRegistry.shared().instances("lifecycle").block(WAIT)).isEmpty();
  }

  @Test
  void usesTheApplicationsMeterRegistryAndOpenTelemetry() {
    runner
        .withUserConfiguration(EchoServer.class, Observed.class)
        .withPropertyValues("vireo.service.name=observed")
        .run(
            context -> {
              Echo echo = context.getBean(VireoClients.class).client("observed", Echo.class);
              assertThat(echo.echo(text("Ada")).block(WAIT).getValue()).isEqualTo("observed: Ada");
              MeterRegistry meters = context.getBean(MeterRegistry.class);
              await()
                  .atMost(WAIT)
                  .untilAsserted(
                      () -> {
                        assertThat(meters.find("vireo.server.calls").timers()).isNotEmpty();
                        assertThat(meters.find("vireo.client.calls").timers()).isNotEmpty();
                      });
              InMemorySpanExporter spans = context.getBean(InMemorySpanExporter.class);
              await()
                  .atMost(WAIT)
                  .untilAsserted(
                      () ->
                          assertThat(spans.getFinishedSpanItems())
                              .extracting(SpanData::getName)
                              .anyMatch(span -> span.contains("Echo")));
            });
  }

  @Test
  void reportsHealthToActuator() {
    runner
        .withUserConfiguration(EchoServer.class)
        .withPropertyValues("vireo.service.name=healthy")
        .run(
            context -> {
              VireoHealthIndicator indicator =
                  context.getBean("vireoHealthIndicator", VireoHealthIndicator.class);
              Health health = indicator.health();
              assertThat(health.getStatus().getCode()).isEqualTo("UP");
              assertThat(health.getDetails()).containsEntry("service", "healthy");
              assertThat((List<?>) health.getDetails().get("instances")).hasSize(1);
              context.getBean(Service.class).stop();
              assertThat(indicator.health().getStatus().getCode()).isEqualTo("DOWN");
            });
  }

  @Test
  void backsOffWhenTheApplicationDefinesItsOwnBeans() {
    runner
        .withUserConfiguration(OwnBeans.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBean(Service.class))
                  .isSameAs(context.getBean(OwnBeans.class).service);
              assertThat(context.getBean(Service.class).name()).isEqualTo("own");
              assertThat(context).getBean(VireoClients.class).isInstanceOf(OwnClients.class);
              assertThat(context).getBean(VireoLifecycle.class).isInstanceOf(OwnLifecycle.class);
              assertThat(context.getBean("vireoHealthIndicator"))
                  .isNotInstanceOf(VireoHealthIndicator.class);
            });
  }

  @Test
  void usesTheApplicationsRegistryBean() {
    MemoryRegistry own = MemoryRegistry.newStore();
    runner
        .withUserConfiguration(EchoServer.class)
        .withBean(Registry.class, () -> own)
        .withPropertyValues("vireo.service.name=own-registry")
        .run(
            context -> {
              assertThat(own.instances("own-registry").block(WAIT)).hasSize(1);
              assertThat(MemoryRegistry.shared().instances("own-registry").block(WAIT)).isEmpty();
            });
  }

  @Test
  void turnsOffWithVireoEnabledFalse() {
    runner
        .withPropertyValues("vireo.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(Service.class));
  }

  @Test
  void failsToStartNamingTheBeanWhoseHandlerInterfaceIsAmbiguous() {
    runner
        .withUserConfiguration(Ambiguous.class)
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("@VireoService bean 'twoFaces'")
                    .hasMessageContaining("@VireoService(TheInterface.class)"));
  }

  @Test
  void failsAClientCallMadeBeforeTheServiceStarted() {
    Service unstarted = Service.builder("unstarted").build();
    VireoClients clients =
        new VireoClients(
            new StaticListableBeanFactory(Map.of("service", unstarted))
                .getBeanProvider(Service.class));
    StepVerifier.create(clients.client("echo", Echo.class).echo(text("Ada")))
        .expectErrorSatisfies(
            error ->
                assertThat(((VireoException) error).status()).isEqualTo(Status.FAILED_PRECONDITION))
        .verify(WAIT);
  }

  @Configuration(proxyBeanMethods = false)
  static class EchoServer {
    @Bean
    EchoImpl echoImpl(Service service) {
      return new EchoImpl(service.name());
    }
  }

  static class FieldCaller {
    @VireoClient("${callers.target}")
    Echo echo;
  }

  static class ConstructorCaller {
    final Echo echo;

    ConstructorCaller(Echo echo) {
      this.echo = echo;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Callers {
    @Bean
    FieldCaller fieldCaller() {
      return new FieldCaller();
    }

    @Bean
    ConstructorCaller constructorCaller(@VireoClient("${callers.target}") Echo echo) {
      return new ConstructorCaller(echo);
    }
  }

  static class Audit {
    final List<String> seen = new CopyOnWriteArrayList<>();

    @VireoSubscribe(topic = "spring.greeted")
    Mono<Void> greeted(StringValue event) {
      return Mono.fromRunnable(() -> seen.add(event.getValue()));
    }

    @VireoSubscribe(topic = "spring.blocking")
    void blocking(StringValue event) {
      seen.add("blocking " + event.getValue());
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class AuditConfig {
    @Bean
    Audit audit() {
      return new Audit();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Observed {
    @Bean
    SimpleMeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }

    @Bean
    InMemorySpanExporter spanExporter() {
      return InMemorySpanExporter.create();
    }

    @Bean
    OpenTelemetry openTelemetry(InMemorySpanExporter exporter) {
      return OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                  .build())
          .build();
    }
  }

  static class OwnClients extends VireoClients {
    OwnClients(Service service) {
      super(new StaticListableBeanFactory(Map.of("s", service)).getBeanProvider(Service.class));
    }
  }

  static class OwnLifecycle extends VireoLifecycle {
    OwnLifecycle(Service service) {
      super(service);
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnBeans {
    final Service service = Service.builder("own").build();

    @Bean
    Service ownService() {
      return service;
    }

    @Bean
    OwnClients ownClients() {
      return new OwnClients(service);
    }

    @Bean
    OwnLifecycle ownLifecycle() {
      return new OwnLifecycle(service);
    }

    @Bean
    HealthIndicator vireoHealthIndicator() {
      return () -> Health.up().withDetail("own", true).build();
    }
  }

  interface First {
    Mono<StringValue> first(StringValue request);
  }

  interface Second {
    Mono<StringValue> second(StringValue request);
  }

  @VireoService
  static class TwoFaces implements First, Second {
    @Override
    public Mono<StringValue> first(StringValue request) {
      return Mono.just(request);
    }

    @Override
    public Mono<StringValue> second(StringValue request) {
      return Mono.just(request);
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Ambiguous {
    @Bean
    TwoFaces twoFaces() {
      return new TwoFaces();
    }
  }
}
