package io.vireo.observability;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import io.vireo.internal.observability.TracingWrapper;
import io.vireo.wrapper.Wrapper;
import reactor.core.publisher.Mono;

/**
 * OpenTelemetry tracing for a service, as a wrapper: a SERVER span per served call, a CLIENT span
 * per call made, a PRODUCER span per publish and a CONSUMER span per handled event, with W3C trace
 * context in the {@code traceparent} header of calls and events (on every transport and broker).
 *
 * <pre>{@code
 * OpenTelemetry otel = OpenTelemetrySdk.builder().setTracerProvider(...).build();
 * Service.builder("greeter").wrap(Tracing.of(otel), ...)
 * }</pre>
 *
 * From configuration, {@code vireo.wrappers=tracing} uses {@code GlobalOpenTelemetry} when an SDK
 * or the Java agent set it, and adds nothing to any chain when none did. List it before {@code
 * logging} so that failed-call log lines carry the span's trace id.
 */
public final class Tracing {
  private Tracing() {}

  /** A wrapper tracing through {@code openTelemetry}. */
  public static Wrapper of(OpenTelemetry openTelemetry) {
    return new TracingWrapper(openTelemetry);
  }

  /**
   * The OpenTelemetry context of the call or event being handled (its span is {@code
   * Span.fromContext(context)}); empty when tracing does not run.
   */
  public static Mono<Context> current() {
    return Mono.deferContextual(context -> Mono.justOrEmpty(TracingWrapper.context(context)));
  }
}
