package io.vireo.internal.observability;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.vireo.Call;
import io.vireo.Event;
import io.vireo.Headers;
import io.vireo.Route;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.broker.Message;
import io.vireo.config.Config;
import io.vireo.wrapper.CallFunction;
import io.vireo.wrapper.EventFunction;
import io.vireo.wrapper.PublishFunction;
import io.vireo.wrapper.Wrapper;
import io.vireo.wrapper.spi.WrapperProvider;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * {@code tracing}: OpenTelemetry spans around served calls (SERVER), made calls (CLIENT), publishes
 * (PRODUCER) and handled events (CONSUMER), with W3C trace context in the {@code traceparent}
 * header of calls and events. The current span's context rides in Reactor's context under {@link
 * #CONTEXT_KEY}; the calls and events a handler makes are its children.
 */
public final class TracingWrapper implements Wrapper {
  public static final String NAME = "tracing";

  /** Where the OpenTelemetry {@link Context} rides in Reactor's context. */
  public static final Class<Context> CONTEXT_KEY = Context.class;

  static final String INSTRUMENTATION = "io.vireo";
  static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
  static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
  static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
  static final AttributeKey<String> VIREO_SERVICE = AttributeKey.stringKey("vireo.service");
  static final AttributeKey<String> VIREO_ROUTE = AttributeKey.stringKey("vireo.route");
  static final AttributeKey<String> VIREO_STATUS = AttributeKey.stringKey("vireo.status");
  static final AttributeKey<Long> GRPC_STATUS = AttributeKey.longKey("rpc.grpc.status_code");
  static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
  static final AttributeKey<String> MESSAGING_DESTINATION =
      AttributeKey.stringKey("messaging.destination.name");
  static final AttributeKey<String> MESSAGING_OPERATION =
      AttributeKey.stringKey("messaging.operation.type");
  static final AttributeKey<String> MESSAGING_ID = AttributeKey.stringKey("messaging.message.id");

  private static final TextMapGetter<Headers> GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers carrier) {
          return carrier.asMap().keySet();
        }

        @Override
        public @Nullable String get(@Nullable Headers carrier, String key) {
          return carrier == null ? null : carrier.get(key).orElse(null);
        }
      };

  private final Tracer tracer;
  private final TextMapPropagator propagator;

  /**
   * Whether the tracer makes no span of its own (the API without an SDK, as {@code
   * OpenTelemetry.propagating} gives): a call with no trace context to continue then goes on as it
   * came, with no span built, no attributes set and nothing injected, since all of it would be the
   * invalid span's no-ops. A call that carries a trace context is traced as always, so that its
   * context reaches the calls its handler makes.
   */
  private final boolean propagatesOnly;

  public TracingWrapper(OpenTelemetry openTelemetry) {
    this.tracer = openTelemetry.getTracer(INSTRUMENTATION);
    // a span started without a parent and never ended: an SDK makes a valid one (and exports
    // nothing, as it is not ended), the API alone the invalid one
    this.propagatesOnly =
        !tracer.spanBuilder(INSTRUMENTATION).setNoParent().startSpan().getSpanContext().isValid();
    TextMapPropagator configured = openTelemetry.getPropagators().getTextMapPropagator();
    // the wire convention is W3C trace context, whatever else the SDK propagates
    this.propagator =
        configured.fields().contains(Headers.TRACEPARENT)
            ? configured
            : TextMapPropagator.composite(W3CTraceContextPropagator.getInstance(), configured);
  }

  /** The OpenTelemetry context of the call or event being handled, if tracing runs. */
  public static Optional<Context> context(ContextView context) {
    return context.getOrEmpty(CONTEXT_KEY);
  }

  @Override
  public CallFunction server(CallFunction next) {
    return (call, requests) ->
        Outcome.deferred(
            call.kind(),
            downstream -> {
              Context parent = propagator.extract(Context.root(), call.headers(), GETTER);
              if (untraced(parent)) {
                Flux<Object> responses =
                    within(parent, Span.getInvalid(), () -> next.apply(call, requests));
                return new Outcome.Start(
                    responses,
                    NOTHING,
                    context -> context.put(CONTEXT_KEY, parent).put(Call.class, call));
              }
              Span span = rpcSpan(call, SpanKind.SERVER, parent);
              Context traced = parent.with(span);
              // the handler, the wrappers inside this one and the calls the handler makes see this
              // span's traceparent
              Call withSpan = call.withHeaders(inject(traced, call.headers()));
              Flux<Object> responses = within(traced, span, () -> next.apply(withSpan, requests));
              return new Outcome.Start(
                  responses,
                  ended -> end(span, ended),
                  context -> context.put(CONTEXT_KEY, traced).put(Call.class, withSpan));
            });
  }

  @Override
  public CallFunction client(CallFunction next) {
    return (call, requests) ->
        Outcome.deferred(
            call.kind(),
            context -> {
              Context parent = parent(context, call.headers());
              if (untraced(parent)) {
                Flux<Object> responses =
                    within(parent, Span.getInvalid(), () -> next.apply(call, requests));
                return new Outcome.Start(responses, NOTHING, null);
              }
              Span span = rpcSpan(call, SpanKind.CLIENT, parent);
              Context traced = parent.with(span);
              Call withSpan = call.withHeaders(inject(traced, call.headers()));
              Flux<Object> responses = within(traced, span, () -> next.apply(withSpan, requests));
              return new Outcome.Start(responses, ended -> end(span, ended), null);
            });
  }

  private static final Outcome.Observer NOTHING = ended -> {};

  /** Whether a call under {@code parent} has nothing to trace: no SDK, and no context to go on. */
  private boolean untraced(Context parent) {
    return propagatesOnly && !Span.fromContext(parent).getSpanContext().isValid();
  }

  /**
   * The next function's responses, made with {@code traced} current; if making them throws, the
   * span ends with the error (the subscriber gets it, as from {@code Flux.defer}).
   */
  private static Flux<Object> within(Context traced, Span span, Supplier<Flux<Object>> next) {
    try (Scope ignored = traced.makeCurrent()) {
      return next.get();
    } catch (RuntimeException e) {
      end(span, new Outcome.Ended(VireoException.from(e).status(), e, 0));
      throw e;
    }
  }

  @Override
  public PublishFunction publisher(PublishFunction next) {
    return event ->
        Mono.deferContextual(
            context -> {
              Context parent = parent(context, event.headers());
              Span span = eventSpan(event, SpanKind.PRODUCER, "publish", parent);
              Context traced = parent.with(span);
              Event withSpan =
                  new Event(
                      event.topic(), event.key(), inject(traced, event.headers()), event.payload());
              return Outcome.on(next.publish(withSpan), ended -> end(span, ended));
            });
  }

  @Override
  public EventFunction subscriber(EventFunction next) {
    return event ->
        Mono.defer(
            () -> {
              Context parent = propagator.extract(Context.root(), event.headers(), GETTER);
              Span span = eventSpan(event, SpanKind.CONSUMER, "process", parent);
              Context traced = parent.with(span);
              Event withSpan =
                  new Event(
                      event.topic(), event.key(), inject(traced, event.headers()), event.payload());
              Mono<Void> handled;
              try (Scope ignored = traced.makeCurrent()) {
                handled = next.handle(withSpan);
              }
              return Outcome.on(handled, ended -> end(span, ended))
                  .contextWrite(context -> context.put(CONTEXT_KEY, traced));
            });
  }

  /**
   * The span to continue: the handler's (from Reactor's context), else the headers', else the
   * thread's current one.
   */
  private Context parent(ContextView context, Headers headers) {
    Optional<Context> handling = context(context);
    if (handling.isPresent()) {
      return handling.get();
    }
    if (headers.get(Headers.TRACEPARENT).isPresent()) {
      return propagator.extract(Context.root(), headers, GETTER);
    }
    return Context.current();
  }

  private Span rpcSpan(Call call, SpanKind kind, Context parent) {
    Route route = call.route();
    return tracer
        .spanBuilder(route.service() + "/" + route.method())
        .setParent(parent)
        .setSpanKind(kind)
        .setAttribute(RPC_SYSTEM, "vireo")
        .setAttribute(RPC_SERVICE, route.service())
        .setAttribute(RPC_METHOD, route.method())
        .setAttribute(VIREO_SERVICE, call.service())
        .setAttribute(VIREO_ROUTE, route.fullName())
        .startSpan();
  }

  private Span eventSpan(Event event, SpanKind kind, String operation, Context parent) {
    return tracer
        .spanBuilder(operation + " " + event.topic())
        .setParent(parent)
        .setSpanKind(kind)
        .setAttribute(MESSAGING_SYSTEM, "vireo")
        .setAttribute(MESSAGING_DESTINATION, event.topic())
        .setAttribute(MESSAGING_OPERATION, operation)
        .setAttribute(MESSAGING_ID, event.headers().get(Message.MESSAGE_ID).orElse(""))
        .startSpan();
  }

  private static void end(Span span, Outcome.Ended ended) {
    Status status = ended.status();
    span.setAttribute(VIREO_STATUS, status.name());
    span.setAttribute(GRPC_STATUS, (long) status.code());
    if (status != Status.OK && status != Status.CANCELLED) {
      span.setStatus(StatusCode.ERROR, status.name());
      if (ended.error() != null) {
        span.recordException(ended.error());
      }
    }
    span.end();
  }

  private Headers inject(Context context, Headers headers) {
    Map<String, String> carrier = new HashMap<>(4);
    propagator.inject(
        context,
        carrier,
        (map, key, value) -> {
          if (map != null) {
            map.put(key, value);
          }
        });
    Headers result = headers;
    for (Map.Entry<String, String> entry : carrier.entrySet()) {
      result = result.with(entry.getKey(), entry.getValue());
    }
    return result;
  }

  /**
   * {@code tracing}: spans through {@link GlobalOpenTelemetry} when an SDK (or the Java agent) set
   * it; otherwise nothing, and no wrapper in the chain.
   */
  public static final class Provider implements WrapperProvider {
    private static final Logger log = LoggerFactory.getLogger(Provider.class);

    @Override
    public String name() {
      return NAME;
    }

    @Override
    public Wrapper create(Config config) {
      if (!GlobalOpenTelemetry.isSet()) {
        log.info("tracing: no OpenTelemetry SDK set as GlobalOpenTelemetry; tracing is off");
        return Disabled.INSTANCE;
      }
      return new TracingWrapper(GlobalOpenTelemetry.get());
    }
  }
}
