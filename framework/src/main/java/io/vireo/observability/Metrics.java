package io.vireo.observability;

import io.micrometer.core.instrument.MeterRegistry;
import io.vireo.internal.observability.MetricsWrapper;
import io.vireo.wrapper.Wrapper;

/**
 * Micrometer metrics for a service, as a wrapper: a timer with a latency histogram and an in-flight
 * gauge per endpoint for served and made calls (tags {@code service}, {@code endpoint}, {@code
 * status}), counters for published and handled events, and the instance counts of the services this
 * one calls.
 *
 * <pre>{@code
 * PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * Service.builder("greeter").wrap(Metrics.of(prometheus)).set("vireo.admin.port", "9090") ...
 * }</pre>
 *
 * From configuration, {@code vireo.wrappers=metrics} makes a Prometheus registry of the service's
 * own. Either way, when the registry is (or contains) a Prometheus one, the admin endpoint serves
 * it at {@code /metrics}. Meter names: see OBSERVABILITY.md.
 */
public final class Metrics {
  private Metrics() {}

  /** A wrapper recording into {@code registry}. */
  public static Wrapper of(MeterRegistry registry) {
    return new MetricsWrapper(registry);
  }
}
