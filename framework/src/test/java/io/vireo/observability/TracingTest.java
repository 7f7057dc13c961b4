package io.vireo.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vireo.CallOptions;
import io.vireo.Headers;
import io.vireo.RpcService;
import io.vireo.Service;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.broker.memory.MemoryBroker;
import io.vireo.internal.wrapper.LoggingWrapper;
import io.vireo.registry.memory.MemoryRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Trace context across real calls and events, recorded by the OpenTelemetry SDK's in-memory
 * exporter.
 */
class TracingTest {
  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String CALLER_SPAN = "00f067aa0ba902b7";

  record Req(String name) {}

  record Reply(String message) {}

  record Echoed(String name) {}

  @RpcService("vireo.test.Traced")
  public interface Traced {
    Mono<Reply> echo(Req request);
  }

  /** Echoes, and publishes what it echoed: the event continues the call's trace. */
  static final class TracedImpl implements Traced {
    Service self;

    @Override
    public Mono<Reply> echo(Req request) {
      if (request.name().equals("missing")) {
        return Mono.error(VireoException.of(Status.NOT_FOUND, "no such name"));
      }
      return self.publish("echoed", new Echoed(request.name()))
          .thenReturn(new Reply("echo " + request.name()));
    }
  }

  final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  final OpenTelemetrySdk otel =
      OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                  .build())
          .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
          .build();
  final MemoryRegistry registry = MemoryRegistry.newStore();
  final MemoryBroker broker = MemoryBroker.newStore(100);
  final List<Service> services = new ArrayList<>();
  final Map<String, String> eventTraceparents = new ConcurrentHashMap<>();

  @AfterEach
  void stop() {
    services.forEach(Service::stop);
    otel.close();
  }

  Service start(Service.Builder builder) {
    Service service = builder.build().start();
    services.add(service);
    return service;
  }

  Service.Builder embedded(String name) {
    return Service.builder(name)
        .registry(registry.handle())
        .broker(broker.handle())
        .set("vireo.transport", "memory")
        .set("vireo.codec", "json");
  }

  Traced startServices(boolean callerTraces) {
    TracedImpl impl = new TracedImpl();
    impl.self = start(embedded("echo").handle(Traced.class, impl).wrap(Tracing.of(otel)));
    start(
        embedded("audit")
            .wrap(Tracing.of(otel))
            .subscribe(
                "echoed",
                Echoed.class,
                event ->
                    Tracing.current()
                        .doOnNext(
                            context ->
                                eventTraceparents.put(
                                    event.name(),
                                    Span.fromContext(context).getSpanContext().getTraceId()))
                        .then()));
    Service.Builder caller = embedded("caller");
    if (callerTraces) {
      caller.wrap(Tracing.of(otel));
    }
    return start(caller).client("echo", Traced.class);
  }

  SpanData span(SpanKind kind, String name) {
    return exporter.getFinishedSpanItems().stream()
        .filter(s -> s.getKind() == kind && s.getName().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    "no " + kind + " span " + name + " in " + exporter.getFinishedSpanItems()));
  }

  @Test
  void callersTraceIdReachesTheServerSpanAndTheEventConsumedDownstream() {
    Traced client = startServices(false);
    StepVerifier.create(
            client
                .echo(new Req("ada"))
                .contextWrite(
                    CallOptions.header(
                        Headers.TRACEPARENT, "00-" + TRACE_ID + "-" + CALLER_SPAN + "-01")))
        .expectNext(new Reply("echo ada"))
        .verifyComplete();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                eventTraceparents.containsKey("ada")
                    && exporter.getFinishedSpanItems().stream()
                        .anyMatch(s -> s.getKind() == SpanKind.CONSUMER));

    SpanData server = span(SpanKind.SERVER, "vireo.test.Traced/Echo");
    assertThat(server.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(server.getParentSpanId()).isEqualTo(CALLER_SPAN);
    assertThat(server.getAttributes().asMap())
        .containsEntry(TracingWrapperKeys.ROUTE, "vireo.test.Traced.Echo")
        .containsEntry(TracingWrapperKeys.STATUS, "OK")
        .containsEntry(TracingWrapperKeys.RPC_METHOD, "Echo");
    SpanData producer = span(SpanKind.PRODUCER, "publish echoed");
    assertThat(producer.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(producer.getParentSpanId()).isEqualTo(server.getSpanId());
    SpanData consumer = span(SpanKind.CONSUMER, "process echoed");
    assertThat(consumer.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(consumer.getParentSpanId()).isEqualTo(producer.getSpanId());
    assertThat(eventTraceparents).containsEntry("ada", TRACE_ID);
  }

  @Test
  void clientSpanIsTheServerSpansParentAndFailuresAreMarked() {
    Traced client = startServices(true);
    Span parent = otel.getTracer("test").spanBuilder("test-root").startSpan();
    try (Scope ignored = parent.makeCurrent()) {
      StepVerifier.create(client.echo(new Req("missing")))
          .expectError(VireoException.class)
          .verify(Duration.ofSeconds(5));
    } finally {
      parent.end();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> exporter.getFinishedSpanItems().size() >= 3);
    SpanData clientSpan = span(SpanKind.CLIENT, "vireo.test.Traced/Echo");
    SpanData server = span(SpanKind.SERVER, "vireo.test.Traced/Echo");
    assertThat(clientSpan.getTraceId()).isEqualTo(parent.getSpanContext().getTraceId());
    assertThat(clientSpan.getParentSpanId()).isEqualTo(parent.getSpanContext().getSpanId());
    assertThat(server.getParentSpanId()).isEqualTo(clientSpan.getSpanId());
    assertThat(server.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(server.getAttributes().asMap())
        .containsEntry(TracingWrapperKeys.STATUS, "NOT_FOUND")
        .containsEntry(TracingWrapperKeys.GRPC_STATUS, 5L);
    assertThat(clientSpan.getAttributes().asMap())
        .containsEntry(TracingWrapperKeys.STATUS, "NOT_FOUND");
  }

  @Test
  void failedCallLogLineCarriesTheSpansTraceId() {
    Logger logger = (Logger) LoggerFactory.getLogger(LoggingWrapper.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    try {
      Service echo =
          start(
              embedded("echo")
                  .handle(Traced.class, new TracedImpl())
                  .wrap(Tracing.of(otel), new LoggingWrapper()));
      Traced client = start(embedded("caller")).client("echo", Traced.class);
      StepVerifier.create(client.echo(new Req("missing")))
          .expectError(VireoException.class)
          .verify(Duration.ofSeconds(5));
      assertThat(echo.isRunning()).isTrue();
      await().atMost(Duration.ofSeconds(5)).until(() -> !exporter.getFinishedSpanItems().isEmpty());
      String traceId = span(SpanKind.SERVER, "vireo.test.Traced/Echo").getTraceId();
      assertThat(lines.list)
          .extracting(ILoggingEvent::getFormattedMessage)
          .anySatisfy(
              line ->
                  assertThat(line)
                      .contains("served call failed", "status=NOT_FOUND", "trace=" + traceId));
    } finally {
      logger.detachAppender(lines);
    }
  }

  @Test
  void tracingProviderUsesGlobalOpenTelemetryWhenSet() {
    GlobalOpenTelemetry.resetForTest();
    GlobalOpenTelemetry.set(otel);
    try {
      start(
          embedded("echo").handle(Traced.class, new TracedImpl()).set("vireo.wrappers", "tracing"));
      Traced client = start(embedded("caller")).client("echo", Traced.class);
      StepVerifier.create(client.echo(new Req("missing")))
          .expectError(VireoException.class)
          .verify(Duration.ofSeconds(5));
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(exporter.getFinishedSpanItems())
                      .extracting(SpanData::getKind)
                      .contains(SpanKind.SERVER));
    } finally {
      GlobalOpenTelemetry.resetForTest();
    }
  }
}
