package io.vireo.internal.runtime;

import io.vireo.Call;
import io.vireo.CallKind;
import io.vireo.Headers;
import io.vireo.Route;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.codec.Codec;
import io.vireo.transport.Dispatcher;
import io.vireo.transport.Frame;
import io.vireo.wrapper.CallFunction;
import io.vireo.wrapper.Wrapper;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.context.Context;

/**
 * The server side: finds the endpoint of each frame, decodes, runs the server wrappers and the
 * handler under the caller's deadline, encodes. Counts calls in flight so that shutdown can
 * drain them.
 */
public final class Router implements Dispatcher {
  private static final Logger log = LoggerFactory.getLogger(Router.class);
  private static final MethodType INVOKE_TYPE = MethodType.methodType(Object.class, Object.class);

  private final String serviceName;
  private final Codecs codecs;
  private final int maxMessageSize;
  private final Map<Route, Endpoint> endpoints;
  private final Map<Route, CallKind> routes;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Sinks.Empty<Void> drained = Sinks.empty();
  private volatile boolean draining;

  private Router(String serviceName, Codecs codecs, int maxMessageSize, Map<Route, Endpoint> endpoints) {
    this.serviceName = serviceName;
    this.codecs = codecs;
    this.maxMessageSize = maxMessageSize;
    this.endpoints = endpoints;
    Map<Route, CallKind> kinds = new LinkedHashMap<>();
    endpoints.forEach((route, endpoint) -> kinds.put(route, endpoint.method.kind()));
    this.routes = Collections.unmodifiableMap(kinds);
  }

  /** A handler interface and its implementation, to be served. */
  public record Handler(Class<?> iface, Object implementation) {}

  public static Router create(String serviceName, List<Handler> handlers, List<Wrapper> wrappers, Codecs codecs, int maxMessageSize) {
    Map<Route, Endpoint> endpoints = new HashMap<>();
    for (Handler handler : handlers) {
      for (EndpointMethod method : EndpointMethod.of(handler.iface())) {
        Endpoint endpoint = new Endpoint(method, invoker(method, handler.implementation()), wrappers);
        if (endpoints.putIfAbsent(method.route(), endpoint) != null) {
          throw new IllegalArgumentException("route " + method.route() + " is served twice (by " + handler.iface().getName() + ")");
        }
      }
    }
    return new Router(serviceName, codecs, maxMessageSize, endpoints);
  }

  private static MethodHandle invoker(EndpointMethod method, Object implementation) {
    if (!method.method().getDeclaringClass().isInstance(implementation)) {
      throw new IllegalArgumentException(implementation.getClass().getName() + " does not implement "
          + method.method().getDeclaringClass().getName());
    }
    try {
      method.method().setAccessible(true);
      return MethodHandles.lookup().unreflect(method.method()).bindTo(implementation).asType(INVOKE_TYPE);
    } catch (IllegalAccessException | RuntimeException e) {
      throw new IllegalArgumentException("cannot call " + method.method() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Map<Route, CallKind> routes() {
    return routes;
  }

  @Override
  public int maxMessageSize() {
    return maxMessageSize;
  }

  @Override
  public java.util.Set<Class<?>> messageTypes() {
    java.util.Set<Class<?>> types = new java.util.LinkedHashSet<>();
    for (Endpoint endpoint : endpoints.values()) {
      types.add(endpoint.method.requestType());
      types.add(endpoint.method.responseType());
    }
    return types;
  }

  /** Calls in flight now. */
  public int inFlight() {
    return inFlight.get();
  }

  /**
   * Refuses new calls with UNAVAILABLE (so callers go elsewhere) and completes when the calls in
   * flight have finished, or after {@code timeout}.
   */
  public Mono<Void> drain(Duration timeout) {
    return Mono.defer(() -> {
      draining = true;
      if (inFlight.get() == 0) {
        drained.tryEmitEmpty();
      }
      return drained.asMono().timeout(timeout, Mono.fromRunnable(() ->
          log.warn("{}: {} calls still in flight after {}; closing anyway", serviceName, inFlight.get(), timeout)));
    });
  }

  @Override
  public Mono<byte[]> requestResponse(Frame request) {
    return Mono.defer(() -> {
      Endpoint endpoint = endpoint(request, CallKind.UNARY);
      Codec codec = codecs.forContentType(request.contentType());
      Object message = decode(request.data(), codec, endpoint);
      Call call = call(request, endpoint);
      Mono<Object> responses = endpoint.wrapped
          ? endpoint.chain.apply(call, Flux.just(message)).next()
          : endpoint.invokeMono(message);
      return track(deadline(responses, call)
          .map(codec::encode)
          .contextWrite(Context.of(Call.class, call)), call);
    }).onErrorMap(this::toStatus);
  }

  @Override
  public Mono<Void> fireAndForget(Frame request) {
    return Mono.defer(() -> {
      Endpoint endpoint = endpoint(request, CallKind.FIRE_AND_FORGET);
      Codec codec = codecs.forContentType(request.contentType());
      Object message = decode(request.data(), codec, endpoint);
      Call call = call(request, endpoint);
      Mono<Object> done = endpoint.wrapped
          ? endpoint.chain.apply(call, Flux.just(message)).then(Mono.empty())
          : endpoint.invokeMono(message);
      enter();
      return deadline(done, call).contextWrite(Context.of(Call.class, call)).doFinally(signal -> exit()).then();
    }).onErrorMap(this::toStatus);
  }

  @Override
  public Flux<byte[]> requestStream(Frame request) {
    return Flux.defer(() -> {
      Endpoint endpoint = endpoint(request, CallKind.SERVER_STREAM);
      Codec codec = codecs.forContentType(request.contentType());
      Object message = decode(request.data(), codec, endpoint);
      Call call = call(request, endpoint);
      Flux<Object> responses = endpoint.wrapped
          ? endpoint.chain.apply(call, Flux.just(message))
          : endpoint.invokeFlux(message);
      return track(deadline(responses, call).map(codec::encode).contextWrite(Context.of(Call.class, call)), call);
    }).onErrorMap(this::toStatus);
  }

  @Override
  public Flux<byte[]> requestChannel(Frame head, Flux<byte[]> requests) {
    return Flux.defer(() -> {
      Endpoint endpoint = endpoint(head, null);
      Codec codec = codecs.forContentType(head.contentType());
      Flux<Object> messages = requests.map(data -> decode(data, codec, endpoint));
      Call call = call(head, endpoint);
      Flux<Object> responses = endpoint.chain.apply(call, messages);
      return track(deadline(responses, call).map(codec::encode).contextWrite(Context.of(Call.class, call)), call);
    }).onErrorMap(this::toStatus);
  }

  private Endpoint endpoint(Frame frame, CallKind expected) {
    if (draining) {
      throw VireoException.of(Status.UNAVAILABLE, "service %s is shutting down; call another instance", serviceName);
    }
    Endpoint endpoint = endpoints.get(frame.route());
    if (endpoint == null) {
      throw VireoException.of(Status.UNIMPLEMENTED, "unknown route %s on service %s (it serves: %s)",
          frame.route(), serviceName, routes.keySet());
    }
    CallKind kind = endpoint.method.kind();
    boolean matches = expected == null ? kind.clientStreams() : kind == expected;
    if (!matches) {
      throw VireoException.of(Status.UNIMPLEMENTED, "route %s is a %s endpoint; it was called as %s",
          frame.route(), kind, expected == null ? "a request channel" : expected);
    }
    return endpoint;
  }

  private Object decode(byte[] data, Codec codec, Endpoint endpoint) {
    if (data.length > maxMessageSize) {
      throw VireoException.of(Status.RESOURCE_EXHAUSTED,
          "request to %s of %d bytes is over the maximum of %d bytes (vireo.transport.max-message-size)",
          endpoint.method.route(), data.length, maxMessageSize);
    }
    return codec.decode(data, endpoint.method.requestType());
  }

  private Call call(Frame frame, Endpoint endpoint) {
    Headers headers = frame.headers();
    Duration timeout = Duration.ZERO;
    String millis = headers.get(Headers.TIMEOUT).orElse(null);
    if (millis != null) {
      try {
        timeout = Duration.ofMillis(Math.max(1, Long.parseLong(millis)));
      } catch (NumberFormatException e) {
        throw VireoException.of(Status.INVALID_ARGUMENT, "header %s: '%s' (expected: milliseconds)", Headers.TIMEOUT, millis);
      }
      headers = headers.without(Headers.TIMEOUT);
    }
    return new Call(serviceName, frame.route(), endpoint.method.kind(), headers, timeout, endpoint.method.idempotent());
  }

  private <T> Mono<T> deadline(Mono<T> mono, Call call) {
    return call.timeout().isZero() ? mono : Deadlines.within(mono, call.timeout(), () -> deadlineExceeded(call));
  }

  private <T> Flux<T> deadline(Flux<T> flux, Call call) {
    return call.timeout().isZero() ? flux : Deadlines.within(flux, call.timeout(), () -> deadlineExceeded(call));
  }

  private static VireoException deadlineExceeded(Call call) {
    return VireoException.of(Status.DEADLINE_EXCEEDED, "%s did not finish within the caller's deadline of %d ms",
        call.route(), call.timeout().toMillis());
  }

  private <T> Mono<T> track(Mono<T> mono, Call call) {
    return Mono.using(this::enter, ignored -> mono, ignored -> exit());
  }

  private <T> Flux<T> track(Flux<T> flux, Call call) {
    return Flux.using(this::enter, ignored -> flux, ignored -> exit());
  }

  private Boolean enter() {
    inFlight.incrementAndGet();
    return Boolean.TRUE;
  }

  private void exit() {
    if (inFlight.decrementAndGet() == 0 && draining) {
      drained.tryEmitEmpty();
    }
  }

  private Throwable toStatus(Throwable error) {
    VireoException vireo = VireoException.from(error);
    if (vireo.status() == Status.INTERNAL || vireo.status() == Status.UNKNOWN) {
      log.warn("{}: call failed with {}: {}", serviceName, vireo.status(), vireo.getMessage(),
          vireo.getCause() != null ? vireo.getCause() : vireo);
    }
    return vireo;
  }

  /** One served endpoint: its method, its bound handler and its wrapper chain. */
  private static final class Endpoint {
    final EndpointMethod method;
    final MethodHandle invoker;
    final CallFunction chain;
    final boolean wrapped;

    Endpoint(EndpointMethod method, MethodHandle invoker, List<Wrapper> wrappers) {
      this.method = method;
      this.invoker = invoker;
      CallFunction chain = this::terminal;
      for (int i = wrappers.size() - 1; i >= 0; i--) {
        chain = wrappers.get(i).server(chain);
      }
      this.chain = chain;
      this.wrapped = !wrappers.isEmpty();
    }

    private Flux<Object> terminal(Call call, Flux<Object> requests) {
      switch (method.kind()) {
        case UNARY:
        case FIRE_AND_FORGET:
          return requests.next().flatMap(this::invokeMono).flux();
        case SERVER_STREAM:
          return requests.next().flatMapMany(this::invokeFlux);
        case CLIENT_STREAM:
          return invokeMono(requests).flux();
        default:
          return invokeFlux(requests);
      }
    }

    @SuppressWarnings("unchecked")
    Mono<Object> invokeMono(Object argument) {
      Object result = invoke(argument);
      return result instanceof VireoException failed ? Mono.error(failed) : (Mono<Object>) result;
    }

    @SuppressWarnings("unchecked")
    Flux<Object> invokeFlux(Object argument) {
      Object result = invoke(argument);
      return result instanceof VireoException failed ? Flux.error(failed) : Flux.from((Publisher<Object>) result);
    }

    /** The handler's publisher, or the VireoException it failed with (to be signalled, not thrown). */
    private Object invoke(Object argument) {
      Object result;
      try {
        result = invoker.invokeExact(argument);
      } catch (Throwable e) {
        return handlerFailed(e);
      }
      if (result == null) {
        return VireoException.of(Status.INTERNAL, "handler %s returned null (expected: a Mono or Flux)", method.route());
      }
      return result;
    }

    private VireoException handlerFailed(Throwable e) {
      if (e instanceof Error error && !(e instanceof AssertionError)) {
        throw error;
      }
      return VireoException.from(e);
    }
  }
}
