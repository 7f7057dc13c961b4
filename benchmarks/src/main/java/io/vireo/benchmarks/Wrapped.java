package io.vireo.benchmarks;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.vireo.Service;

/**
 * The standard wrapper chain of a production service, {@code
 * vireo.wrappers=metrics,tracing,logging}, on both the client and the server of a load run. Tracing
 * runs against the OpenTelemetry API with W3C propagation and no SDK (spans are not recorded or
 * exported; what Vireo itself costs per call is measured, not an exporter's); metrics go to the
 * Prometheus registry as in a service; logging at its default level. The load client's calls start
 * no trace, so with no SDK the tracing wrapper builds no span for them (it passes a caller's trace
 * context on when there is one): what a span costs is not in these figures.
 */
final class Wrapped {
  private Wrapped() {}

  static Service.Builder chain(Service.Builder builder) {
    synchronized (Wrapped.class) {
      if (!GlobalOpenTelemetry.isSet()) {
        GlobalOpenTelemetry.set(
            OpenTelemetry.propagating(
                ContextPropagators.create(W3CTraceContextPropagator.getInstance())));
      }
    }
    return builder.set("vireo.wrappers", "metrics,tracing,logging");
  }
}
