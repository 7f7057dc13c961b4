package io.vireo.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.vireo.Service;
import io.vireo.broker.Broker;
import io.vireo.codec.Codec;
import io.vireo.observability.Metrics;
import io.vireo.observability.Tracing;
import io.vireo.registry.Registry;
import io.vireo.spring.internal.BeanHandlers;
import io.vireo.spring.internal.EnvironmentSettings;
import io.vireo.spring.internal.VireoClientInjector;
import io.vireo.spring.internal.VireoClientResolver;
import io.vireo.transport.Transport;
import io.vireo.wrapper.Wrapper;
import java.time.Duration;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Makes the Spring Boot application a Vireo service.
 *
 * <ul>
 *   <li>{@link Service}, named by {@code vireo.service.name} (else {@code
 *       spring.application.name}), configured by the {@code vireo.*} keys of the {@code
 *       Environment} ({@code application.yaml}, profiles, environment variables, command line),
 *       serving the {@link VireoService} beans and subscribing the {@link VireoSubscribe} methods;
 *       the application's {@link Wrapper}, {@link Registry}, {@link Broker}, {@link Transport} and
 *       {@link Codec} beans are used, its {@code MeterRegistry} through {@link Metrics} and its
 *       {@code OpenTelemetry} through {@link Tracing}; {@link VireoServiceCustomizer} beans see the
 *       builder last;
 *   <li>{@link VireoLifecycle}: starts it once the context has started, stops it gracefully;
 *   <li>{@link VireoClients} and {@link VireoClient} injection;
 *   <li>{@link VireoHealthIndicator} as actuator's {@code vireo} component.
 * </ul>
 *
 * Each bean backs off when the application defines its own; {@code vireo.enabled=false} turns all
 * of it off.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "vireo.enabled", matchIfMissing = true)
public class VireoAutoConfiguration {
  /**
   * The service's name when neither {@code vireo.service.name} nor {@code spring.application.name}
   * is set.
   */
  public static final String DEFAULT_SERVICE_NAME = "application";

  static final String SHUTDOWN_TIMEOUT = "vireo.server.shutdown-timeout";
  static final Duration DEFAULT_PHASE_TIMEOUT = Duration.ofSeconds(30);

  /** {@code vireo.server.shutdown-timeout} under {@code server.shutdown=immediate}. */
  public static final Duration IMMEDIATE_SHUTDOWN_TIMEOUT = Duration.ofSeconds(1);

  @Bean
  @ConditionalOnMissingBean
  public Service vireoService(
      ConfigurableEnvironment environment,
      ConfigurableListableBeanFactory beans,
      ObjectProvider<Wrapper> wrappers,
      ObjectProvider<MeterRegistry> meters,
      ObjectProvider<OpenTelemetry> openTelemetry,
      ObjectProvider<Registry> registry,
      ObjectProvider<Broker> broker,
      ObjectProvider<Transport> transport,
      ObjectProvider<Codec> codec,
      ObjectProvider<VireoServiceCustomizer> customizers) {
    Map<String, String> settings = EnvironmentSettings.of(environment);
    String name =
        settings.getOrDefault(
            "vireo.service.name",
            environment.getProperty("spring.application.name", DEFAULT_SERVICE_NAME));
    Service.Builder builder =
        Service.builder(name).version(settings.getOrDefault("vireo.service.version", ""));
    settings.forEach(builder::set);
    if (!settings.containsKey(SHUTDOWN_TIMEOUT)
        && environment.getProperty(SHUTDOWN_TIMEOUT) == null) {
      builder.set(SHUTDOWN_TIMEOUT, shutdownTimeout(environment).toMillis() + "ms");
    }
    openTelemetry.ifAvailable(otel -> builder.wrap(Tracing.of(otel)));
    meters.ifAvailable(meterRegistry -> builder.wrap(Metrics.of(meterRegistry)));
    wrappers.orderedStream().forEach(builder::wrap);
    registry.ifUnique(builder::registry);
    broker.ifUnique(builder::broker);
    transport.ifUnique(builder::transport);
    codec.ifUnique(builder::codec);
    BeanHandlers.addTo(builder, beans);
    customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
    return builder.build();
  }

  /**
   * Spring's graceful-shutdown bound; with {@code server.shutdown=immediate}, {@link
   * #IMMEDIATE_SHUTDOWN_TIMEOUT}: Vireo bounds each step of its stop by this, and deregistering
   * needs a round trip to the registry even when calls in flight are not waited for.
   */
  static Duration shutdownTimeout(ConfigurableEnvironment environment) {
    if ("immediate"
        .equalsIgnoreCase(environment.getProperty("server.shutdown", "graceful").trim())) {
      return IMMEDIATE_SHUTDOWN_TIMEOUT;
    }
    return Binder.get(environment)
        .bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
        .orElse(DEFAULT_PHASE_TIMEOUT);
  }

  @Bean
  @ConditionalOnMissingBean
  public VireoLifecycle vireoLifecycle(Service service) {
    return new VireoLifecycle(service);
  }

  @Bean
  @ConditionalOnMissingBean
  public VireoClients vireoClients(ObjectProvider<Service> service) {
    return new VireoClients(service);
  }

  @Bean
  @ConditionalOnMissingBean
  public static VireoClientInjector vireoClientInjector() {
    return new VireoClientInjector();
  }

  @Bean
  @ConditionalOnMissingBean(name = "vireoClientResolver")
  public static BeanFactoryPostProcessor vireoClientResolver() {
    return VireoClientResolver.installer();
  }

  /** The actuator health component, when the application has Spring Boot's health support. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  static class Health {
    @Bean
    @ConditionalOnMissingBean(name = "vireoHealthIndicator")
    VireoHealthIndicator vireoHealthIndicator(Service service) {
      return new VireoHealthIndicator(service);
    }
  }
}
