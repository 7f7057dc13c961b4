package io.vireo.internal.observability;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vireo.config.Config;
import io.vireo.registry.Registry;
import io.vireo.resilience.CircuitBreakerWrapper;
import io.vireo.wrapper.Wrapper;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the service runtime starts and stops for observability: binds the metrics wrappers to the
 * registry, and runs the admin endpoint when {@code vireo.admin.port} is set. With neither, it
 * holds nothing.
 */
public final class Observability {
  public static final String DEFAULT_ADMIN_HOST = "127.0.0.1";

  private final List<MetricsWrapper> metrics;
  private final Optional<AdminServer> admin;

  private Observability(List<MetricsWrapper> metrics, Optional<AdminServer> admin) {
    this.metrics = metrics;
    this.admin = admin;
  }

  public static Observability start(
      ServiceView service,
      Registry registry,
      List<Wrapper> wrappers,
      Config config,
      Duration timeout) {
    List<MetricsWrapper> metrics =
        wrappers.stream()
            .filter(MetricsWrapper.class::isInstance)
            .map(MetricsWrapper.class::cast)
            .toList();
    List<CircuitBreakerWrapper> breakers =
        wrappers.stream()
            .filter(CircuitBreakerWrapper.class::isInstance)
            .map(CircuitBreakerWrapper.class::cast)
            .toList();
    metrics.forEach(wrapper -> wrapper.bind(registry, breakers));
    Optional<AdminServer> admin = Optional.empty();
    Optional<String> port = config.get("vireo.admin.port");
    if (port.isPresent() && !port.get().isBlank()) {
      int number = config.getInt("vireo.admin.port", 0);
      if (number < 0 || number > 65535) {
        throw new IllegalArgumentException(
            "vireo.admin.port: " + number + " (expected: 0 to 65535; 0 for any free port)");
      }
      Optional<PrometheusMeterRegistry> prometheus =
          metrics.stream().map(MetricsWrapper::prometheus).flatMap(Optional::stream).findFirst();
      admin =
          Optional.of(
              AdminServer.start(
                  service,
                  prometheus,
                  config.get("vireo.admin.host", DEFAULT_ADMIN_HOST),
                  number,
                  timeout));
    }
    return new Observability(metrics, admin);
  }

  public Optional<InetSocketAddress> adminAddress() {
    return admin.map(AdminServer::address);
  }

  public void stop(Duration timeout) {
    admin.ifPresent(server -> server.stop(timeout));
    metrics.forEach(MetricsWrapper::close);
  }
}
