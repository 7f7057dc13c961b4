package io.vireo.internal.runtime;

import io.vireo.Call;
import io.vireo.CallKind;
import io.vireo.CallOptions;
import io.vireo.Headers;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.codec.Codec;
import io.vireo.config.Config;
import io.vireo.registry.Registry;
import io.vireo.registry.ServiceInstance;
import io.vireo.selector.Filter;
import io.vireo.selector.Selector;
import io.vireo.selector.spi.SelectorProvider;
import io.vireo.transport.Connection;
import io.vireo.transport.Frame;
import io.vireo.transport.Transport;
import io.vireo.wrapper.CallFunction;
import io.vireo.wrapper.Wrapper;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;
import reactor.util.retry.Retry;

/**
 * The client side: typed proxies, client wrappers, instance lists from registry watches,
 * filters, selectors, the connection pool, retries and deadlines.
 */
public final class ClientRuntime {
  private static final Logger log = LoggerFactory.getLogger(ClientRuntime.class);

  /** {@code vireo.client.timeout}. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  /** {@code vireo.client.retries}. */
  public static final int DEFAULT_RETRIES = 2;

  private final String caller;
  private final Config config;
  private final Registry registry;
  private final Codec codec;
  private final List<Filter> filters;
  private final List<Wrapper> wrappers;
  private final Function<String, Transport> transports;
  private final ConnectionPool pool;
  private final Map<String, Target> targets = new ConcurrentHashMap<>();
  private final String preferredTransport;
  private final Headers callerOnly;

  public ClientRuntime(String caller, Config config, Registry registry, Codec codec, List<Filter> filters,
      List<Wrapper> wrappers, Function<String, Transport> transports, String preferredTransport) {
    this.caller = caller;
    this.config = config;
    this.registry = registry;
    this.codec = codec;
    this.filters = List.copyOf(filters);
    this.wrappers = List.copyOf(wrappers);
    this.transports = transports;
    this.pool = new ConnectionPool(transports);
    this.preferredTransport = preferredTransport;
    this.callerOnly = Headers.empty().with(Headers.CALLER, caller);
  }

  /** A typed proxy calling {@code service} through the registry. */
  public <T> T proxy(String service, Class<T> iface) {
    if (service.isEmpty()) {
      throw new IllegalArgumentException("service: empty (expected: a name in the registry, such as greeter)");
    }
    Target target = targets.computeIfAbsent(service, Target::new);
    Map<Method, ClientEndpoint> endpoints = new HashMap<>();
    for (EndpointMethod method : EndpointMethod.of(iface)) {
      endpoints.put(method.method(), new ClientEndpoint(target, method));
    }
    InvocationHandler handler = (proxy, method, args) -> {
      ClientEndpoint endpoint = endpoints.get(method);
      if (endpoint != null) {
        return endpoint.invoke(args[0]);
      }
      if (method.isDefault()) {
        return InvocationHandler.invokeDefault(proxy, method, args);
      }
      switch (method.getName()) {
        case "equals":
          return proxy == args[0];
        case "hashCode":
          return System.identityHashCode(proxy);
        case "toString":
          return iface.getSimpleName() + " client of " + service;
        default:
          throw new UnsupportedOperationException(method.toString());
      }
    };
    return iface.cast(Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] {iface}, handler));
  }

  public void close() {
    targets.values().forEach(Target::close);
    targets.clear();
    pool.close();
  }

  /** One endpoint of a proxy: builds the call from the subscriber's context and runs the chain. */
  private final class ClientEndpoint {
    final Target target;
    final EndpointMethod method;
    final CallFunction chain;
    final Duration defaultTimeout;
    final boolean idempotent;
    final boolean direct;

    ClientEndpoint(Target target, EndpointMethod method) {
      this.target = target;
      this.method = method;
      CallFunction chain = (call, requests) -> target.call(call, requests, method.responseType());
      for (int i = wrappers.size() - 1; i >= 0; i--) {
        chain = wrappers.get(i).client(chain);
      }
      this.chain = chain;
      // the hot path: a unary call with no client wrappers skips the Flux shape
      this.direct = wrappers.isEmpty() && (method.kind() == CallKind.UNARY || method.kind() == CallKind.FIRE_AND_FORGET);
      String prefix = "vireo.client.services." + target.service + ".";
      Duration timeout = config.getDuration(prefix + "timeout", config.getDuration("vireo.client.timeout", DEFAULT_TIMEOUT));
      // a stream may rightly last forever, and fire-and-forget has no answer to wait for:
      // only a per-call timeout bounds them
      this.defaultTimeout = method.kind().serverStreams() || method.kind() == CallKind.FIRE_AND_FORGET
          ? Duration.ZERO : timeout;
      this.idempotent = method.idempotent();
    }

    @SuppressWarnings("unchecked")
    Object invoke(Object argument) {
      if (direct) {
        return method.kind() == CallKind.FIRE_AND_FORGET
            ? Mono.deferContextual(context -> target.fireAndForget(call(context), argument))
            : Mono.deferContextual(context -> target.unary(call(context), argument, method.responseType()));
      }
      Flux<Object> requests = method.kind().clientStreams()
          ? Flux.from((Publisher<Object>) argument)
          : Flux.just(argument);
      Flux<Object> responses = Flux.deferContextual(context -> chain.apply(call(context), requests));
      return method.method().getReturnType() == Mono.class ? responses.next() : responses;
    }

    private Call call(ContextView context) {
      Headers headers = CallOptions.headers(context);
      Optional<Call> serving = Call.from(context);
      if (serving.isPresent()) {
        Optional<String> traceparent = serving.get().headers().get(Headers.TRACEPARENT);
        if (traceparent.isPresent() && headers.get(Headers.TRACEPARENT).isEmpty()) {
          headers = headers.with(Headers.TRACEPARENT, traceparent.get());
        }
      }
      Duration timeout = CallOptions.timeout(context).orElse(defaultTimeout);
      return new Call(target.service, method.route(), method.kind(), headers, timeout, idempotent);
    }
  }

  /** The state of one target service: its instances, its selector, its filters. */
  private final class Target {
    final String service;
    final Selector selector;
    final Filter filter;
    final int retries;
    final Flux<List<ServiceInstance>> watch;
    final Disposable watching;
    volatile List<ServiceInstance> instances = List.of();
    volatile boolean known;

    Target(String service) {
      this.service = service;
      String prefix = "vireo.client.services." + service + ".";
      String selectorName = config.get(prefix + "selector", config.get("vireo.selector", "round-robin"));
      this.selector = io.vireo.internal.selector.OutlierEjection.wrap(service,
          io.vireo.internal.runtime.Plugins.create(SelectorProvider.class, "selector", selectorName, config), config);
      // no endpoint filter by default: a server that lacks the route answers UNIMPLEMENTED, which says more
      // an instance served on several transports is registered once per transport: take ours if offered
      Filter combined = (candidates, call) -> {
        List<ServiceInstance> preferred = Filter.transport(preferredTransport).apply(candidates, call);
        return preferred.isEmpty() ? candidates : preferred;
      };
      for (Filter extra : filters) {
        combined = combined.and(extra);
      }
      Optional<String> version = config.get(prefix + "version");
      if (version.isPresent()) {
        combined = combined.and(Filter.version(version.get()));
      }
      for (Map.Entry<String, String> entry : config.subset(prefix + "metadata").entrySet()) {
        combined = combined.and(Filter.metadata(entry.getKey(), entry.getValue()));
      }
      Optional<Filter> canary = io.vireo.internal.selector.Filters.canary(config, service);
      if (canary.isPresent()) {
        combined = combined.and(canary.get());
      }
      this.filter = combined;
      // a configured resilience retry (vireo.client.services.<svc>.retry.*) replaces the built-in one, so attempts do not multiply
      boolean resilienceRetry = !config.subset(prefix + "retry").isEmpty() && config.getBoolean(prefix + "retry.enabled", true);
      this.retries = resilienceRetry ? 0 : config.getInt(prefix + "retries", config.getInt("vireo.client.retries", DEFAULT_RETRIES));
      this.watch = registry.watch(service)
          .doOnNext(list -> {
            instances = list;
            known = true;
          })
          .doOnError(e -> log.warn("watching {} failed, keeping {} known instances: {}", service, instances.size(), e.toString()))
          .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(5)))
          .replay(1)
          .autoConnect();
      this.watching = watch.subscribe();
    }

    void close() {
      watching.dispose();
    }

    /** A unary call as a Mono: encoded once, whatever the retries. */
    Mono<Object> unary(Call call, Object request, Class<?> responseType) {
      byte[] data;
      try {
        data = codec.encode(request);
      } catch (RuntimeException e) {
        return Mono.error(e);
      }
      long deadline = call.timeout().isZero() ? 0 : System.nanoTime() + call.timeout().toNanos();
      Mono<Object> attempts = Mono.defer(() -> attemptUnary(call, data, responseType, deadline));
      if (retries > 0) {
        attempts = attempts.retryWhen(Retry.max(retries).filter(error -> retryable(error, call)));
      }
      if (call.timeout().isZero()) {
        return attempts;
      }
      return Deadlines.within(attempts, call.timeout(), () -> deadlineExceeded(call));
    }

    /** Fire-and-forget as a Mono: completes when the frame is handed to the transport. */
    Mono<Object> fireAndForget(Call call, Object request) {
      byte[] data;
      try {
        data = codec.encode(request);
      } catch (RuntimeException e) {
        return Mono.error(e);
      }
      long deadline = call.timeout().isZero() ? 0 : System.nanoTime() + call.timeout().toNanos();
      Mono<Object> attempts = Mono.defer(() -> attemptFireAndForget(call, data, deadline));
      if (retries > 0) {
        attempts = attempts.retryWhen(Retry.max(retries).filter(error -> retryable(error, call)));
      }
      return deadline == 0 ? attempts : Deadlines.within(attempts, call.timeout(), () -> deadlineExceeded(call));
    }

    private Mono<Object> attemptFireAndForget(Call call, byte[] data, long deadline) {
      if (!known) {
        return watch.next().flatMap(list -> attemptFireAndForget(call, data, deadline));
      }
      ServiceInstance instance = pick(call);
      Frame frame = new Frame(call.route(), codec.contentType(), wireHeaders(call, deadline), data);
      return observed(instance, call, pool.get(instance).flatMap(connection -> connection.fireAndForget(frame)).cast(Object.class));
    }

    private Mono<Object> attemptUnary(Call call, byte[] data, Class<?> responseType, long deadline) {
      if (!known) {
        return watch.next().flatMap(list -> attemptUnary(call, data, responseType, deadline));
      }
      ServiceInstance instance = pick(call);
      Frame frame = new Frame(call.route(), codec.contentType(), wireHeaders(call, deadline), data);
      return observed(instance, call, pool.get(instance)
          .flatMap(connection -> connection.requestResponse(frame))
          .map(bytes -> codec.decode(bytes, responseType)));
    }

    /** Tells the selector that a call to {@code instance} starts, and how it ended. */
    private Mono<Object> observed(ServiceInstance instance, Call call, Mono<Object> attempt) {
      Outcome outcome = new Outcome(instance, call);
      selector.started(instance, call);
      return attempt
          .doOnSuccess(ok -> outcome.report(Status.OK))
          .doOnError(e -> outcome.report(VireoException.from(e).status()))
          .doOnCancel(() -> outcome.report(Status.CANCELLED));
    }

    private ServiceInstance pick(Call call) {
      List<ServiceInstance> candidates = filter.apply(instances, call);
      Optional<ServiceInstance> picked = selector.select(candidates, call);
      if (picked.isEmpty()) {
        throw VireoException.of(Status.UNAVAILABLE,
            "no instance of service '%s' for %s (registry has %d instances, %d left after filters); is it running and registered?%s",
            service, call.route(), instances.size(), candidates.size(), io.vireo.internal.memory.MemoryRegistry.noInstanceHint(registry));
      }
      return picked.get();
    }

    private Headers wireHeaders(Call call, long deadline) {
      Headers headers = call.headers().isEmpty() ? callerOnly : call.headers().with(Headers.CALLER, caller);
      return deadline == 0 ? headers
          : headers.with(Headers.TIMEOUT, Long.toString(Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
    }

    private VireoException deadlineExceeded(Call call) {
      return VireoException.of(Status.DEADLINE_EXCEEDED,
          "call to %s %s: no answer within %d ms (vireo.client.timeout, or CallOptions.timeout)",
          service, call.route(), call.timeout().toMillis());
    }

    Flux<Object> call(Call call, Flux<Object> requests, Class<?> responseType) {
      long deadline = call.timeout().isZero() ? 0 : System.nanoTime() + call.timeout().toNanos();
      Flux<Object> attempts = Flux.defer(() -> attempt(call, requests, responseType, deadline));
      if (retries > 0) {
        // Retry.max(0) would turn the first retryable error into a RetryExhaustedException
        attempts = attempts.retryWhen(Retry.max(retries).filter(error -> retryable(error, call)));
      }
      if (call.timeout().isZero()) {
        return attempts;
      }
      return Deadlines.within(attempts, call.timeout(), () -> deadlineExceeded(call));
    }

    private boolean retryable(Throwable error, Call call) {
      if (error instanceof ConnectionPool.ConnectFailed) {
        return true;
      }
      return error instanceof VireoException vireo && vireo.retryable() && call.idempotent()
          && (call.kind() == CallKind.UNARY || call.kind() == CallKind.FIRE_AND_FORGET);
    }

    @SuppressWarnings("unchecked")
    private Flux<Object> attempt(Call call, Flux<Object> requests, Class<?> responseType, long deadline) {
      if (!known) {
        return watch.next().flatMapMany(list -> attempt(call, requests, responseType, deadline));
      }
      ServiceInstance instance = pick(call);
      Outcome outcome = new Outcome(instance, call);
      selector.started(instance, call);
      Flux<Object> responses = pool.get(instance)
          .flatMapMany(connection -> send(connection, call, requests, (Class<Object>) responseType, deadline));
      if (!call.kind().serverStreams()) {
        // a Mono's subscriber cancels right after the one reply: that reply is the success
        responses = responses.doOnNext(reply -> outcome.report(Status.OK));
      }
      return responses
          .doOnComplete(() -> outcome.report(Status.OK))
          .doOnError(e -> outcome.report(VireoException.from(e).status()))
          .doOnCancel(() -> outcome.report(Status.CANCELLED));
    }

    /** Reports one attempt's outcome to the selector exactly once. */
    private final class Outcome extends java.util.concurrent.atomic.AtomicBoolean {
      private static final long serialVersionUID = 1L;
      final transient ServiceInstance instance;
      final transient Call call;
      final long start = System.nanoTime();

      Outcome(ServiceInstance instance, Call call) {
        this.instance = instance;
        this.call = call;
      }

      void report(Status status) {
        if (compareAndSet(false, true)) {
          selector.report(instance, call, status, System.nanoTime() - start);
        }
      }
    }

    private Flux<Object> send(Connection connection, Call call, Flux<Object> requests, Class<Object> responseType, long deadline) {
      Headers headers = wireHeaders(call, deadline);
      switch (call.kind()) {
        case UNARY:
          return requests.next()
              .flatMap(request -> connection.requestResponse(frame(call, headers, codec.encode(request))))
              .map(data -> codec.decode(data, responseType))
              .flux();
        case FIRE_AND_FORGET:
          return requests.next()
              .flatMap(request -> connection.fireAndForget(frame(call, headers, codec.encode(request))))
              .flux()
              .cast(Object.class);
        case SERVER_STREAM:
          return requests.next()
              .flatMapMany(request -> connection.requestStream(frame(call, headers, codec.encode(request))))
              .map(data -> codec.decode(data, responseType));
        default:
          return connection.requestChannel(Frame.head(call.route(), codec.contentType(), headers),
                  requests.map(codec::encode))
              .map(data -> codec.decode(data, responseType));
      }
    }

    private Frame frame(Call call, Headers headers, byte[] data) {
      return new Frame(call.route(), codec.contentType(), headers, data);
    }
  }
}
