package io.vireo.internal.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.vireo.Call;
import io.vireo.CallKind;
import io.vireo.Headers;
import io.vireo.Route;
import io.vireo.wrapper.CallFunction;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * Tracing with the OpenTelemetry API and no SDK: nothing is recorded, but a caller's trace context
 * still reaches the calls the handler makes; a call without one goes on as it came.
 */
class PropagatingTracingTest {
  private static final String TRACEPARENT =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  private final TracingWrapper tracing =
      new TracingWrapper(
          OpenTelemetry.propagating(
              ContextPropagators.create(W3CTraceContextPropagator.getInstance())));
  private final AtomicReference<Headers> sent = new AtomicReference<>();

  /** A handler that makes one call through the client wrapper, whose headers are kept. */
  private final CallFunction handler =
      (call, requests) ->
          tracing
              .client(
                  (made, none) -> {
                    sent.set(made.headers());
                    return Flux.just("answer");
                  })
              .apply(call("made", Headers.empty()), Flux.empty());

  private static Call call(String method, Headers headers) {
    return new Call(
        "echo", Route.of("bench.Echo", method), CallKind.UNARY, headers, Duration.ZERO, false);
  }

  @Test
  void aCallersTraceContextReachesTheCallsTheHandlerMakes() {
    Flux<Object> served =
        tracing.server(handler).apply(call("Served", Headers.of("traceparent", TRACEPARENT)), null);

    StepVerifier.create(served).expectNext("answer").verifyComplete();

    assertThat(sent.get().get("traceparent")).hasValue(TRACEPARENT);
  }

  @Test
  void aCallWithoutTraceContextGoesOnWithoutOne() {
    Flux<Object> served =
        tracing.server(handler).apply(call("Served", Headers.of("vireo-caller", "bench")), null);

    StepVerifier.create(served).expectNext("answer").verifyComplete();

    assertThat(sent.get().get("traceparent")).isEmpty();
  }
}
