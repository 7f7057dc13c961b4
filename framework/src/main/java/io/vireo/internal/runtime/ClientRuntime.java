package io.vireo.internal.runtime;

import io.netty.util.Timeout;
import io.netty.util.TimerTask;
import io.vireo.Call;
import io.vireo.CallKind;
import io.vireo.CallOptions;
import io.vireo.Headers;
import io.vireo.Route;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.client.GenericClient;
import io.vireo.codec.Codec;
import io.vireo.config.Config;
import io.vireo.internal.codec.ProtoCodec;
import io.vireo.internal.selector.Filters;
import io.vireo.internal.selector.OutlierEjection;
import io.vireo.registry.Registry;
import io.vireo.registry.ServiceInstance;
import io.vireo.registry.memory.MemoryRegistry;
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
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;
import reactor.util.context.ContextView;
import reactor.util.retry.Retry;

/**
 * The client side: typed proxies, client wrappers, instance lists from registry watches, filters,
 * selectors, the connection pool, retries and deadlines.
 *
 * <p>Each call kind has one pipeline: encode once, then attempts (pick an instance, send, observe
 * the outcome for the selector), retries of the attempts, one deadline over them all. Client
 * wrappers decorate that pipeline; they never select a second one.
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

  /** The same pipeline on protobuf bytes, for generic clients; made on first use. */
  private volatile @Nullable ClientRuntime raw;

  public ClientRuntime(
      String caller,
      Config config,
      Registry registry,
      Codec codec,
      List<Filter> filters,
      List<Wrapper> wrappers,
      Function<String, Transport> transports,
      String preferredTransport) {
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

  /**
   * The runtime of generic clients: {@code typed}'s settings and connection pool, with payloads
   * passed through as bytes.
   */
  private ClientRuntime(ClientRuntime typed) {
    this.caller = typed.caller;
    this.config = typed.config;
    this.registry = typed.registry;
    this.codec = RawCodec.INSTANCE;
    this.filters = typed.filters;
    this.wrappers = typed.wrappers;
    this.transports = typed.transports;
    this.pool = typed.pool;
    this.preferredTransport = typed.preferredTransport;
    this.callerOnly = typed.callerOnly;
  }

  /**
   * A client of any endpoint of {@code service}, on protobuf bytes, through the same pipeline as
   * proxies.
   */
  public GenericClient generic(String service) {
    if (service.isEmpty()) {
      throw new IllegalArgumentException(
          "service: empty (expected: a name in the registry, such as greeter)");
    }
    ClientRuntime bytes = raw;
    if (bytes == null) {
      synchronized (this) {
        bytes = raw;
        if (bytes == null) {
          bytes = new ClientRuntime(this);
          raw = bytes;
        }
      }
    }
    return bytes.new Generic(bytes.targets.computeIfAbsent(service, bytes::newTarget));
  }

  private Target newTarget(String service) {
    return new Target(service);
  }

  /** A typed proxy calling {@code service} through the registry. */
  public <T> T proxy(String service, Class<T> iface) {
    if (service.isEmpty()) {
      throw new IllegalArgumentException(
          "service: empty (expected: a name in the registry, such as greeter)");
    }
    Target target = targets.computeIfAbsent(service, Target::new);
    Map<Method, ClientEndpoint> endpoints = new HashMap<>();
    for (EndpointMethod method : EndpointMethod.of(iface)) {
      endpoints.put(method.method(), new ClientEndpoint(target, method));
    }
    InvocationHandler handler =
        (proxy, method, args) -> {
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
    return iface.cast(
        Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] {iface}, handler));
  }

  public void close() {
    ClientRuntime bytes = raw;
    if (bytes != null) {
      bytes.targets.values().forEach(Target::close);
      bytes.targets.clear();
    }
    targets.values().forEach(Target::close);
    targets.clear();
    pool.close();
  }

  /**
   * Generic calls: a route and a kind per call, protobuf bytes in and out, through the proxies'
   * pipeline and wrappers.
   */
  private final class Generic implements GenericClient {
    final Target target;
    final @Nullable CallFunction wrapped;
    final Duration unaryTimeout;

    Generic(Target target) {
      this.target = target;
      CallFunction chain = (call, requests) -> target.pipeline(call, requests, byte[].class);
      for (int i = wrappers.size() - 1; i >= 0; i--) {
        chain = wrappers.get(i).client(chain);
      }
      this.wrapped = wrappers.isEmpty() ? null : chain;
      String prefix = "vireo.client.services." + target.service + ".";
      this.unaryTimeout =
          config.getDuration(
              prefix + "timeout", config.getDuration("vireo.client.timeout", DEFAULT_TIMEOUT));
    }

    @Override
    public String service() {
      return target.service;
    }

    @Override
    public Mono<byte[]> unary(Route route, byte[] request) {
      return Mono.deferContextual(
              context -> {
                Call call = call(context, route, CallKind.UNARY);
                CallFunction chain = wrapped;
                return chain == null
                    ? target.unary(call, request, byte[].class)
                    : chain.apply(call, Flux.just(request)).next();
              })
          .cast(byte[].class);
    }

    @Override
    public Mono<Void> fireAndForget(Route route, byte[] request) {
      return Mono.deferContextual(
              context -> {
                Call call = call(context, route, CallKind.FIRE_AND_FORGET);
                CallFunction chain = wrapped;
                return chain == null
                    ? target.fireAndForget(call, request)
                    : chain.apply(call, Flux.just(request)).next();
              })
          .then();
    }

    @Override
    public Flux<byte[]> serverStream(Route route, byte[] request) {
      return Flux.deferContextual(
              context -> {
                Call call = call(context, route, CallKind.SERVER_STREAM);
                CallFunction chain = wrapped;
                return chain == null
                    ? target.stream(call, request, byte[].class)
                    : chain.apply(call, Flux.just(request));
              })
          .cast(byte[].class);
    }

    @Override
    public Mono<byte[]> clientStream(Route route, Flux<byte[]> requests) {
      return channel(route, CallKind.CLIENT_STREAM, requests).next();
    }

    @Override
    public Flux<byte[]> bidiStream(Route route, Flux<byte[]> requests) {
      return channel(route, CallKind.BIDI_STREAM, requests);
    }

    private Flux<byte[]> channel(Route route, CallKind kind, Flux<byte[]> requests) {
      Flux<Object> messages = requests.cast(Object.class);
      return Flux.deferContextual(
              context -> {
                Call call = call(context, route, kind);
                CallFunction chain = wrapped;
                return chain == null
                    ? target.channel(call, messages, byte[].class)
                    : chain.apply(call, messages);
              })
          .cast(byte[].class);
    }

    private Call call(ContextView context, Route route, CallKind kind) {
      // as a proxy's endpoint: a stream, and fire-and-forget, are bounded only by a per-call
      // timeout
      Duration timeout =
          CallOptions.timeout(context)
              .orElse(
                  kind.serverStreams() || kind == CallKind.FIRE_AND_FORGET
                      ? Duration.ZERO
                      : unaryTimeout);
      return new Call(
          target.service,
          route,
          kind,
          propagated(context),
          timeout,
          CallOptions.idempotent(context).orElse(false));
    }

    @Override
    public String toString() {
      return "generic client of " + target.service;
    }
  }

  /** The per-call headers, with the trace context of the call being served, if any. */
  private static Headers propagated(ContextView context) {
    Headers headers = CallOptions.headers(context);
    Call serving = context.getOrDefault(Call.class, null);
    if (serving != null && headers.get(Headers.TRACEPARENT).isEmpty()) {
      Optional<String> traceparent = serving.headers().get(Headers.TRACEPARENT);
      if (traceparent.isPresent()) {
        headers = headers.with(Headers.TRACEPARENT, traceparent.get());
      }
    }
    return headers;
  }

  /** Generic payloads are protobuf bytes already: sent as they are, received as they came. */
  private static final class RawCodec implements Codec {
    static final RawCodec INSTANCE = new RawCodec();

    @Override
    public String name() {
      return ProtoCodec.NAME;
    }

    @Override
    public String contentType() {
      return ProtoCodec.CONTENT_TYPE;
    }

    @Override
    public boolean supports(Class<?> type) {
      return type == byte[].class;
    }

    @Override
    public byte[] encode(Object value) {
      if (!(value instanceof byte[] bytes)) {
        throw VireoException.of(
            Status.INTERNAL,
            "a generic call sends byte[] (protobuf bytes), not %s",
            value.getClass().getName());
      }
      return bytes;
    }

    @Override
    public <T> T decode(byte[] data, Class<T> type) {
      return type.cast(data);
    }
  }

  /**
   * One endpoint of a proxy: builds the call from the subscriber's context and runs it through the
   * one pipeline of its kind ({@link Target#unary}, {@link Target#fireAndForget}, {@link
   * Target#stream}, {@link Target#channel}). Client wrappers, when there are any, are composed
   * around that same pipeline; with none, the pipeline is called directly, without the {@code Flux}
   * shape the wrapper signature needs.
   */
  private final class ClientEndpoint {
    final Target target;
    final EndpointMethod method;
    final @Nullable CallFunction wrapped;
    final Duration defaultTimeout;
    final boolean idempotent;
    final boolean returnsMono;

    ClientEndpoint(Target target, EndpointMethod method) {
      this.target = target;
      this.method = method;
      CallFunction chain = this::pipeline;
      for (int i = wrappers.size() - 1; i >= 0; i--) {
        chain = wrappers.get(i).client(chain);
      }
      this.wrapped = wrappers.isEmpty() ? null : chain;
      String prefix = "vireo.client.services." + target.service + ".";
      Duration timeout =
          config.getDuration(
              prefix + "timeout", config.getDuration("vireo.client.timeout", DEFAULT_TIMEOUT));
      // a stream may rightly last forever, and fire-and-forget has no answer to wait for:
      // only a per-call timeout bounds them
      this.defaultTimeout =
          method.kind().serverStreams() || method.kind() == CallKind.FIRE_AND_FORGET
              ? Duration.ZERO
              : timeout;
      this.idempotent = method.idempotent();
      this.returnsMono = method.method().getReturnType() == Mono.class;
    }

    Object invoke(Object argument) {
      CallFunction chain = wrapped;
      if (chain == null) {
        return direct(argument);
      }
      Flux<Object> requests = requests(argument);
      Flux<Object> responses =
          Flux.deferContextual(context -> chain.apply(call(context), requests));
      return returnsMono ? responses.next() : responses;
    }

    /**
     * The pipeline without wrappers: the same code as {@link #pipeline}, minus the Flux adapters.
     */
    @SuppressWarnings("unchecked")
    private Object direct(Object argument) {
      Class<?> responseType = method.responseType();
      switch (method.kind()) {
        case UNARY:
          return Mono.deferContextual(
              context -> target.unary(call(context), argument, responseType));
        case FIRE_AND_FORGET:
          return Mono.deferContextual(context -> target.fireAndForget(call(context), argument));
        case SERVER_STREAM:
          return Flux.deferContextual(
              context -> target.stream(call(context), argument, responseType));
        default:
          Flux<Object> responses =
              Flux.deferContextual(
                  context -> target.channel(call(context), requests(argument), responseType));
          return returnsMono ? responses.next() : responses;
      }
    }

    /** The innermost function of the wrapper chain: the call kind's pipeline. */
    private Flux<Object> pipeline(Call call, Flux<Object> requests) {
      return target.pipeline(call, requests, method.responseType());
    }

    @SuppressWarnings("unchecked")
    private Flux<Object> requests(Object argument) {
      return method.kind().clientStreams()
          ? Flux.from((Publisher<Object>) argument)
          : Flux.just(argument);
    }

    private Call call(ContextView context) {
      Duration timeout = CallOptions.timeout(context).orElse(defaultTimeout);
      return new Call(
          target.service,
          method.route(),
          method.kind(),
          propagated(context),
          timeout,
          CallOptions.idempotent(context).orElse(idempotent));
    }
  }

  /** The state of one target service: its instances, its selector, its filters. */
  private final class Target {
    final String service;
    final Selector selector;
    final Filter filter;
    final int retries;

    /** Retries of a stream: connection failures only (nothing was sent). */
    final @Nullable Retry retryConnect;

    final Flux<List<ServiceInstance>> watch;
    final Disposable watching;
    volatile List<ServiceInstance> instances = List.of();
    volatile boolean known;

    Target(String service) {
      this.service = service;
      String prefix = "vireo.client.services." + service + ".";
      String selectorName =
          config.get(prefix + "selector", config.get("vireo.selector", "round-robin"));
      this.selector =
          OutlierEjection.wrap(
              service,
              Plugins.create(SelectorProvider.class, "selector", selectorName, config),
              config);
      // no endpoint filter by default: a server that lacks the route answers UNIMPLEMENTED, which
      // says more
      // an instance served on several transports is registered once per transport: take ours if
      // offered
      // made once: the filter remembers its last answer, so an unchanged list is not filtered
      // again on every call
      Filter ours = Filter.transport(preferredTransport);
      Filter combined =
          (candidates, call) -> {
            List<ServiceInstance> preferred = ours.apply(candidates, call);
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
      Optional<Filter> canary = Filters.canary(config, service);
      if (canary.isPresent()) {
        combined = combined.and(canary.get());
      }
      this.filter = combined;
      // a configured resilience retry (vireo.client.services.<svc>.retry.*) replaces the built-in
      // one, so attempts do not multiply
      boolean resilienceRetry =
          !config.subset(prefix + "retry").isEmpty()
              && config.getBoolean(prefix + "retry.enabled", true);
      this.retries =
          resilienceRetry
              ? 0
              : config.getInt(
                  prefix + "retries", config.getInt("vireo.client.retries", DEFAULT_RETRIES));
      // built once: a retry spec is immutable. Retry.max(0) would turn the first error into a
      // RetryExhaustedException, so no retries means no retryWhen at all; when the attempts run
      // out, the caller gets the last attempt's own VireoException
      this.retryConnect =
          retries <= 0
              ? null
              : Retry.max(retries)
                  .filter(error -> error instanceof ConnectionPool.ConnectFailed)
                  .onRetryExhaustedThrow((spec, signal) -> signal.failure());
      this.watch =
          registry
              .watch(service)
              .doOnNext(
                  list -> {
                    instances = list;
                    known = true;
                  })
              .doOnError(
                  e ->
                      log.warn(
                          "watching {} failed, keeping {} known instances: {}",
                          service,
                          instances.size(),
                          e.toString()))
              .retryWhen(
                  Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200))
                      .maxBackoff(Duration.ofSeconds(5)))
              .replay(1)
              .autoConnect();
      this.watching = watch.subscribe();
    }

    void close() {
      watching.dispose();
    }

    /** The call kind's pipeline in the wrapper chain's shape: its innermost function. */
    Flux<Object> pipeline(Call call, Flux<Object> requests, Class<?> responseType) {
      Object one = call.kind().clientStreams() ? null : OneRequest.of(requests);
      if (one != null) {
        switch (call.kind()) {
          case UNARY:
            return unary(call, one, responseType).flux();
          case FIRE_AND_FORGET:
            return fireAndForget(call, one).flux();
          default:
            return stream(call, one, responseType);
        }
      }
      switch (call.kind()) {
        case UNARY:
          return requests.next().flatMap(request -> unary(call, request, responseType)).flux();
        case FIRE_AND_FORGET:
          return requests.next().flatMap(request -> fireAndForget(call, request)).flux();
        case SERVER_STREAM:
          return requests.next().flatMapMany(request -> stream(call, request, responseType));
        default:
          return channel(call, requests, responseType);
      }
    }

    /**
     * A unary call: encoded once; each attempt picks an instance, is observed, may be retried; one
     * deadline over all (see {@link SingleCall}).
     */
    Mono<Object> unary(Call call, Object request, Class<?> responseType) {
      byte[] data;
      try {
        data = codec.encode(request);
      } catch (RuntimeException e) {
        return Mono.error(VireoException.from(e));
      }
      return new SingleCall(this, call, data, responseType);
    }

    /** Fire-and-forget: the unary pipeline, ending when the frame is handed to the transport. */
    Mono<Object> fireAndForget(Call call, Object request) {
      byte[] data;
      try {
        data = codec.encode(request);
      } catch (RuntimeException e) {
        return Mono.error(VireoException.from(e));
      }
      return new SingleCall(this, call, data, null);
    }

    /**
     * A server stream: one request encoded once; connection failures retried; the deadline bounds
     * the whole stream.
     */
    Flux<Object> stream(Call call, Object request, Class<?> responseType) {
      byte[] data;
      try {
        data = codec.encode(request);
      } catch (RuntimeException e) {
        return Flux.error(VireoException.from(e));
      }
      long deadline = deadline(call);
      return streamed(
          call,
          Flux.deferContextual(
              context -> attemptStream(call, data, responseType, deadline, context)));
    }

    /** Client and bidi streams: the requests are encoded as they are sent. */
    Flux<Object> channel(Call call, Flux<Object> requests, Class<?> responseType) {
      long deadline = deadline(call);
      return streamed(
          call,
          Flux.deferContextual(
              context -> attemptChannel(call, requests, responseType, deadline, context)));
    }

    private long deadline(Call call) {
      return call.timeout().isZero() ? 0 : System.nanoTime() + call.timeout().toNanos();
    }

    /** Retry (of connection failures) and deadline around the attempts of a stream. */
    private Flux<Object> streamed(Call call, Flux<Object> attempts) {
      if (retryConnect != null) {
        attempts = attempts.retryWhen(retryConnect);
      }
      return call.timeout().isZero()
          ? attempts
          : Deadlines.within(attempts, call.timeout(), () -> deadlineExceeded(call));
    }

    @SuppressWarnings("unchecked")
    private Flux<Object> attemptStream(
        Call call, byte[] data, Class<?> responseType, long deadline, ContextView context) {
      if (!known) {
        return watch
            .next()
            .flatMapMany(list -> attemptStream(call, data, responseType, deadline, context));
      }
      ServiceInstance instance = pick(call, context);
      Frame frame = frame(call, deadline, data);
      Flux<Object> responses =
          pool.get(instance)
              .flatMapMany(connection -> connection.requestStream(frame))
              .map(bytes -> codec.decode(bytes, (Class<Object>) responseType));
      return observed(instance, call, responses);
    }

    @SuppressWarnings("unchecked")
    private Flux<Object> attemptChannel(
        Call call,
        Flux<Object> requests,
        Class<?> responseType,
        long deadline,
        ContextView context) {
      if (!known) {
        return watch
            .next()
            .flatMapMany(list -> attemptChannel(call, requests, responseType, deadline, context));
      }
      ServiceInstance instance = pick(call, context);
      Frame head = Frame.head(call.route(), codec.contentType(), wireHeaders(call, deadline));
      Flux<Object> responses =
          pool.get(instance)
              .flatMapMany(
                  connection -> connection.requestChannel(head, requests.map(codec::encode)))
              .map(bytes -> codec.decode(bytes, (Class<Object>) responseType));
      return observed(instance, call, responses);
    }

    /** Tells the selector that a stream to {@code instance} starts, and how it ended. */
    private Flux<Object> observed(ServiceInstance instance, Call call, Flux<Object> responses) {
      return new ObservedFlux(responses, this, instance, call);
    }

    private ServiceInstance pick(Call call, ContextView context) {
      Optional<String> pinned = CallOptions.instance(context);
      if (pinned.isPresent()) {
        return pinned(pinned.get());
      }
      Optional<Filter> extra = CallOptions.filter(context);
      List<ServiceInstance> candidates =
          extra.isPresent()
              ? filter.and(extra.get()).apply(instances, call)
              : filter.apply(instances, call);
      Optional<ServiceInstance> picked = selector.select(candidates, call);
      if (picked.isEmpty()) {
        throw VireoException.of(
            Status.UNAVAILABLE,
            "no instance of service '%s' for %s (registry has %d instances, %d left after filters); is it running and registered?%s",
            service,
            call.route(),
            instances.size(),
            candidates.size(),
            MemoryRegistry.noInstanceHint(registry));
      }
      return picked.get();
    }

    private Frame frame(Call call, long deadline, byte[] data) {
      return new Frame(call.route(), codec.contentType(), wireHeaders(call, deadline), data);
    }

    /** The one instance a call is pinned to (CallOptions.instance): no filter, no selector. */
    private ServiceInstance pinned(String id) {
      List<ServiceInstance> known = instances;
      for (ServiceInstance candidate : known) {
        if (candidate.id().equals(id)) {
          return candidate;
        }
      }
      throw VireoException.of(
          Status.UNAVAILABLE,
          "instance '%s' of service '%s' is not registered (registered: %s)",
          id,
          service,
          known.isEmpty()
              ? "none"
              : String.join(", ", known.stream().map(ServiceInstance::id).toList()));
    }

    private Headers wireHeaders(Call call, long deadline) {
      Headers headers =
          call.headers().isEmpty() ? callerOnly : call.headers().with(Headers.CALLER, caller);
      return deadline == 0
          ? headers
          : headers.with(
              Headers.TIMEOUT,
              Long.toString(Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
    }

    private VireoException deadlineExceeded(Call call) {
      return VireoException.of(
          Status.DEADLINE_EXCEEDED,
          "call to %s %s: no answer within %d ms (vireo.client.timeout, or CallOptions.timeout)",
          service,
          call.route(),
          call.timeout().toMillis());
    }
  }

  /** A call that was not sent (no connection) may be tried again whatever it is. */
  private static final Predicate<Throwable> CONNECT_RETRYABLE =
      error -> error instanceof ConnectionPool.ConnectFailed;

  /** An idempotent call may also be tried again after a retryable status (UNAVAILABLE). */
  private static final Predicate<Throwable> IDEMPOTENT_RETRYABLE =
      error ->
          error instanceof ConnectionPool.ConnectFailed
              || error instanceof VireoException vireo && vireo.retryable();

  /**
   * A unary or fire-and-forget call, its whole client pipeline in one subscription: each attempt
   * picks an instance and is reported to the selector (its start, and its outcome once); a failed
   * attempt is tried again while retries are left and the error allows it; one deadline bounds all
   * the attempts; the answer is decoded. The operators this replaces (a deadline, a retry, an
   * observer and a map, each a publisher and a subscriber per call) forwarded every signal through
   * four objects.
   */
  private final class SingleCall extends Mono<Object> {
    private final Target target;
    private final Call call;
    private final byte[] data;
    private final @Nullable Class<?> responseType; // null: fire-and-forget

    SingleCall(Target target, Call call, byte[] data, @Nullable Class<?> responseType) {
      this.target = target;
      this.call = call;
      this.data = data;
      this.responseType = responseType;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Object> actual) {
      new Calling(this, actual).start();
    }
  }

  /**
   * The state of one {@link SingleCall}: the downstream's subscription and the deadline's task.
   * {@code done} is set once, by the answer, the last error, the deadline or a cancel, whichever
   * comes first; the others then do nothing.
   */
  private final class Calling implements Subscription, TimerTask {
    private static final AtomicIntegerFieldUpdater<Calling> DONE =
        AtomicIntegerFieldUpdater.newUpdater(Calling.class, "done");

    private final SingleCall spec;
    private final CoreSubscriber<? super Object> actual;
    private final Predicate<Throwable> retryable;
    private final long deadline; // System.nanoTime(), or 0: none
    private int attempts;
    private volatile int done;
    private volatile boolean requested;
    private volatile @Nullable Attempt current;
    private volatile @Nullable Timeout timeout;
    private volatile @Nullable Disposable waiting; // for the registry's first list

    Calling(SingleCall spec, CoreSubscriber<? super Object> actual) {
      this.spec = spec;
      this.actual = actual;
      this.retryable = spec.call.idempotent() ? IDEMPOTENT_RETRYABLE : CONNECT_RETRYABLE;
      this.deadline = spec.target.deadline(spec.call);
    }

    void start() {
      actual.onSubscribe(this);
      if (deadline != 0 && done == 0) {
        Timeout armed = Deadlines.arm(this, spec.call.timeout().toNanos());
        timeout = armed;
        if (done != 0) {
          armed.cancel();
        }
      }
      attempt();
    }

    /** Sends one attempt (or waits for the registry's first list, then sends it). */
    void attempt() {
      if (done != 0) {
        return;
      }
      Target target = spec.target;
      if (!target.known) {
        Disposable wait = target.watch.next().subscribe(list -> attempt(), this::failed);
        waiting = wait;
        if (done != 0) {
          wait.dispose();
        }
        return;
      }
      ServiceInstance instance;
      Frame frame;
      try {
        instance = target.pick(spec.call, actual.currentContext());
        frame = target.frame(spec.call, deadline, spec.data);
      } catch (RuntimeException e) {
        failed(e);
        return;
      }
      Attempt attempt = new Attempt(this, instance);
      current = attempt;
      if (done != 0) {
        attempt.cancel(); // the call ended meanwhile: the started attempt is reported cancelled
        return;
      }
      Mono<?> sent;
      try {
        sent = send(instance, frame);
      } catch (RuntimeException e) {
        attempt.onError(e);
        return;
      }
      sent.subscribe(attempt);
    }

    private Mono<?> send(ServiceInstance instance, Frame frame) {
      Connection ready = pool.ready(instance);
      if (spec.responseType == null) {
        return ready != null
            ? ready.fireAndForget(frame)
            : pool.get(instance).flatMap(connection -> connection.fireAndForget(frame));
      }
      return ready != null
          ? ready.requestResponse(frame)
          : pool.get(instance).flatMap(connection -> connection.requestResponse(frame));
    }

    void answered(Object value) {
      if (DONE.compareAndSet(this, 0, 1)) {
        disarm();
        actual.onNext(value);
        actual.onComplete();
      } else {
        Operators.onDiscard(value, actual.currentContext());
      }
    }

    void completed() {
      if (DONE.compareAndSet(this, 0, 1)) {
        disarm();
        actual.onComplete();
      }
    }

    void failed(Throwable error) {
      if (done != 0) {
        Operators.onErrorDropped(error, actual.currentContext());
        return;
      }
      if (attempts < spec.target.retries && retryable.test(error)) {
        attempts++;
        attempt();
      } else if (DONE.compareAndSet(this, 0, 1)) {
        disarm();
        actual.onError(error);
      }
    }

    /** The deadline. */
    @Override
    public void run(Timeout expired) {
      if (DONE.compareAndSet(this, 0, 1)) {
        stopAttempt();
        actual.onError(spec.target.deadlineExceeded(spec.call));
      }
    }

    @Override
    public void request(long n) {
      if (Operators.validate(n) && !requested) {
        requested = true;
        Attempt attempt = current;
        if (attempt != null) {
          attempt.requestUpstream();
        }
      }
    }

    @Override
    public void cancel() {
      if (DONE.compareAndSet(this, 0, 1)) {
        disarm();
        stopAttempt();
      }
    }

    private void stopAttempt() {
      Attempt attempt = current;
      if (attempt != null) {
        attempt.cancel();
      }
      Disposable wait = waiting;
      if (wait != null) {
        wait.dispose();
      }
    }

    private void disarm() {
      Timeout armed = timeout;
      if (armed != null) {
        armed.cancel();
      }
    }
  }

  /**
   * One attempt of a {@link SingleCall}: reported to the selector when made, and once at its end.
   */
  private final class Attempt implements CoreSubscriber<Object> {
    private static final AtomicIntegerFieldUpdater<Attempt> REPORTED =
        AtomicIntegerFieldUpdater.newUpdater(Attempt.class, "reported");

    private final Calling calling;
    private final ServiceInstance instance;
    private final long start;
    private boolean answered;
    private volatile boolean cancelled;
    private volatile @Nullable Subscription upstream;
    private volatile int reported;

    Attempt(Calling calling, ServiceInstance instance) {
      this.calling = calling;
      this.instance = instance;
      this.start = System.nanoTime();
      calling.spec.target.selector.started(instance, calling.spec.call);
    }

    @Override
    public Context currentContext() {
      return calling.actual.currentContext();
    }

    @Override
    public void onSubscribe(Subscription subscription) {
      upstream = subscription;
      if (cancelled) {
        subscription.cancel();
      } else if (calling.requested) {
        subscription.request(Long.MAX_VALUE);
      }
    }

    void requestUpstream() {
      Subscription subscription = upstream;
      if (subscription != null) {
        subscription.request(Long.MAX_VALUE);
      }
    }

    @Override
    public void onNext(Object value) {
      if (answered) {
        return;
      }
      answered = true;
      Object decoded;
      try {
        SingleCall spec = calling.spec;
        decoded = codec.decode((byte[]) value, spec.responseType);
      } catch (RuntimeException e) {
        report(VireoException.from(e).status());
        calling.failed(e);
        return;
      }
      report(Status.OK);
      calling.answered(decoded);
    }

    @Override
    public void onError(Throwable error) {
      if (answered) {
        Operators.onErrorDropped(error, currentContext());
        return;
      }
      answered = true;
      report(VireoException.from(error).status());
      calling.failed(error);
    }

    @Override
    public void onComplete() {
      if (!answered) {
        answered = true;
        report(Status.OK);
        calling.completed();
      }
    }

    void cancel() {
      cancelled = true;
      report(Status.CANCELLED);
      Subscription subscription = upstream;
      if (subscription != null) {
        subscription.cancel();
      }
    }

    private void report(Status status) {
      if (REPORTED.compareAndSet(this, 0, 1)) {
        SingleCall spec = calling.spec;
        spec.target.selector.report(instance, spec.call, status, System.nanoTime() - start);
      }
    }
  }

  /**
   * One attempt of a stream, observed as an {@link Attempt} of a single-request call is, except
   * that a server stream is OK only when it completes (a client stream's one reply is its success:
   * the {@code Mono} subscriber cancels right after it).
   */
  private static final class ObservedFlux extends Flux<Object> {
    private final Flux<Object> source;
    private final Target target;
    private final ServiceInstance instance;
    private final Call call;

    ObservedFlux(Flux<Object> source, Target target, ServiceInstance instance, Call call) {
      this.source = source;
      this.target = target;
      this.instance = instance;
      this.call = call;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Object> actual) {
      ObservedSubscriber observer =
          new ObservedSubscriber(actual, target, instance, call, !call.kind().serverStreams());
      observer.start();
      source.subscribe(observer);
    }
  }

  /** Reports one attempt's start and outcome to the selector, the outcome exactly once. */
  private static final class ObservedSubscriber extends Relay<Object, Object> {
    private static final AtomicIntegerFieldUpdater<ObservedSubscriber> REPORTED =
        AtomicIntegerFieldUpdater.newUpdater(ObservedSubscriber.class, "reported");
    private final Target target;
    private final ServiceInstance instance;
    private final Call call;
    private final boolean answerEnds;
    private long start;
    private volatile int reported;

    ObservedSubscriber(
        CoreSubscriber<? super Object> actual,
        Target target,
        ServiceInstance instance,
        Call call,
        boolean answerEnds) {
      super(actual);
      this.target = target;
      this.instance = instance;
      this.call = call;
      this.answerEnds = answerEnds;
    }

    void start() {
      start = System.nanoTime();
      target.selector.started(instance, call);
    }

    private void report(Status status) {
      if (REPORTED.compareAndSet(this, 0, 1)) {
        target.selector.report(instance, call, status, System.nanoTime() - start);
      }
    }

    @Override
    public void onNext(Object value) {
      if (answerEnds) {
        report(Status.OK);
      }
      actual.onNext(value);
    }

    @Override
    public void onError(Throwable error) {
      report(VireoException.from(error).status());
      actual.onError(error);
    }

    @Override
    public void onComplete() {
      report(Status.OK);
      actual.onComplete();
    }

    @Override
    public void cancel() {
      report(Status.CANCELLED);
      cancelUpstream();
    }
  }
}
