package io.vireo.internal.runtime;

import io.netty.util.concurrent.FastThreadLocalThread;
import io.vireo.Blocking;
import io.vireo.Call;
import io.vireo.CallKind;
import io.vireo.Headers;
import io.vireo.Route;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.codec.Codec;
import io.vireo.config.Config;
import io.vireo.transport.Dispatcher;
import io.vireo.transport.Frame;
import io.vireo.transport.MessageLimits;
import io.vireo.wrapper.CallFunction;
import io.vireo.wrapper.Wrapper;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CorePublisher;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.NonBlocking;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

/**
 * The server side: finds the endpoint of each frame, decodes, runs the server wrappers and the
 * handler under the caller's deadline, encodes. Counts calls in flight so that shutdown can drain
 * them.
 *
 * <p>One pipeline per call kind: decode, the call, the endpoint's function (the handler, with the
 * server wrappers composed around it when there are any), the deadline, then one subscriber ({@link
 * Served}) that encodes the answers, puts the call in the context, counts the call in flight and
 * turns failures into statuses.
 *
 * <p>Threading: a handler runs on the thread that delivered the request (the transport's event
 * loop), unless it is {@link Blocking} (or {@code vireo.server.endpoints.<Method>.blocking=true}),
 * which runs it on Reactor's bounded-elastic scheduler. A handler that holds an event-loop thread
 * longer than {@code vireo.server.blocking-warn-threshold} (100 ms) gets one warning naming it.
 */
public final class Router implements Dispatcher {
  private static final Logger log = LoggerFactory.getLogger(Router.class);
  private static final MethodType INVOKE_TYPE = MethodType.methodType(Object.class, Object.class);

  /**
   * {@code vireo.server.error-details}: whether callers get the text of a handler's unexpected
   * exception.
   */
  public static final String ERROR_DETAILS_KEY = "vireo.server.error-details";

  /**
   * {@code vireo.server.blocking-warn-threshold}: how long a handler may hold an event-loop thread
   * unwarned.
   */
  public static final String BLOCKING_WARN_THRESHOLD_KEY = "vireo.server.blocking-warn-threshold";

  public static final Duration DEFAULT_BLOCKING_WARN_THRESHOLD = Duration.ofMillis(100);

  private final String serviceName;
  private final Codecs codecs;
  private final Options options;
  private final Map<Route, Endpoint> endpoints;
  private final Map<Route, CallKind> routes;
  private final List<Wrapper> wrappers;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Sinks.Empty<Void> drained = Sinks.empty();
  private volatile boolean draining;

  private Router(
      String serviceName,
      Codecs codecs,
      Options options,
      Map<Route, EndpointMethod> methods,
      Map<Route, MethodHandle> invokers,
      List<Wrapper> wrappers) {
    this.serviceName = serviceName;
    this.codecs = codecs;
    this.options = options;
    this.wrappers = List.copyOf(wrappers);
    Map<Route, Endpoint> served = new HashMap<>();
    Map<Route, CallKind> kinds = new LinkedHashMap<>();
    methods.forEach(
        (route, method) -> {
          served.put(
              route,
              new Endpoint(
                  this, method, invokers.get(route), wrappers, blocking(method, options.config())));
          kinds.put(route, method.kind());
        });
    this.endpoints = served;
    this.routes = Collections.unmodifiableMap(kinds);
  }

  /** A handler interface and its implementation, to be served. */
  public record Handler(Class<?> iface, Object implementation) {}

  /**
   * What the router takes from configuration.
   *
   * @param maxMessageSize what transports accept ({@link MessageLimits})
   * @param errorDetails whether a handler's unexpected exception text goes to the caller
   * @param blockingWarnThreshold how long a handler may hold an event-loop thread before a warning
   * @param config where {@code vireo.server.endpoints.<Method>.blocking} is read
   */
  public record Options(
      int maxMessageSize, boolean errorDetails, Duration blockingWarnThreshold, Config config) {
    public static Options from(Config config) {
      Duration threshold =
          config.getDuration(BLOCKING_WARN_THRESHOLD_KEY, DEFAULT_BLOCKING_WARN_THRESHOLD);
      if (threshold.isNegative()) {
        throw new IllegalArgumentException(
            BLOCKING_WARN_THRESHOLD_KEY + ": " + threshold + " (expected: >= 0, 0 = never warn)");
      }
      return new Options(
          MessageLimits.maxMessageSize(config),
          config.getBoolean(ERROR_DETAILS_KEY, false),
          threshold,
          config);
    }
  }

  public static Router create(
      String serviceName,
      List<Handler> handlers,
      List<Wrapper> wrappers,
      Codecs codecs,
      Config config) {
    return create(serviceName, handlers, wrappers, codecs, Options.from(config));
  }

  public static Router create(
      String serviceName,
      List<Handler> handlers,
      List<Wrapper> wrappers,
      Codecs codecs,
      int maxMessageSize) {
    Config none = Config.of(Map.of());
    Options defaults = Options.from(none);
    return create(
        serviceName,
        handlers,
        wrappers,
        codecs,
        new Options(
            MessageLimits.checkMaxMessageSize(maxMessageSize),
            defaults.errorDetails(),
            defaults.blockingWarnThreshold(),
            none));
  }

  public static Router create(
      String serviceName,
      List<Handler> handlers,
      List<Wrapper> wrappers,
      Codecs codecs,
      Options options) {
    Map<Route, EndpointMethod> methods = new LinkedHashMap<>();
    Map<Route, MethodHandle> invokers = new HashMap<>();
    for (Handler handler : handlers) {
      for (EndpointMethod method : EndpointMethod.of(handler.iface())) {
        if (methods.putIfAbsent(method.route(), method) != null) {
          throw new IllegalArgumentException(
              "route "
                  + method.route()
                  + " is served twice (by "
                  + handler.iface().getName()
                  + ")");
        }
        invokers.put(method.route(), invoker(method, handler.implementation()));
      }
    }
    return new Router(serviceName, codecs, options, methods, invokers, wrappers);
  }

  private static boolean blocking(EndpointMethod method, Config config) {
    return method.method().isAnnotationPresent(Blocking.class)
        || method.method().getDeclaringClass().isAnnotationPresent(Blocking.class)
        || config.getBoolean(
            "vireo.server.endpoints." + method.route().fullName() + ".blocking",
            config.getBoolean(
                "vireo.server.endpoints." + method.route().method() + ".blocking", false));
  }

  private static MethodHandle invoker(EndpointMethod method, Object implementation) {
    if (!method.method().getDeclaringClass().isInstance(implementation)) {
      throw new IllegalArgumentException(
          implementation.getClass().getName()
              + " does not implement "
              + method.method().getDeclaringClass().getName());
    }
    try {
      method.method().setAccessible(true);
      return MethodHandles.lookup()
          .unreflect(method.method())
          .bindTo(implementation)
          .asType(INVOKE_TYPE);
    } catch (IllegalAccessException | RuntimeException e) {
      throw new IllegalArgumentException(
          "cannot call " + method.method() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Map<Route, CallKind> routes() {
    return routes;
  }

  @Override
  public int maxMessageSize() {
    return options.maxMessageSize();
  }

  @Override
  public Set<Class<?>> messageTypes() {
    Set<Class<?>> types = new LinkedHashSet<>();
    for (Endpoint endpoint : endpoints.values()) {
      types.add(endpoint.method.requestType());
      types.add(endpoint.method.responseType());
    }
    return types;
  }

  /**
   * Refuses new calls with UNAVAILABLE (so callers go elsewhere) and completes when the calls in
   * flight have finished, or after {@code timeout}.
   */
  public Mono<Void> drain(Duration timeout) {
    return Mono.defer(
        () -> {
          draining = true;
          if (inFlight.get() == 0) {
            drained.tryEmitEmpty();
          }
          return drained
              .asMono()
              .timeout(
                  timeout,
                  Mono.fromRunnable(
                      () ->
                          log.warn(
                              "{}: {} calls still in flight after {}; closing anyway",
                              serviceName,
                              inFlight.get(),
                              timeout)));
        });
  }

  @Override
  public Mono<byte[]> requestResponse(Frame request) {
    return new ServedMono<>(this, request, CallKind.UNARY);
  }

  @Override
  public Mono<Void> fireAndForget(Frame request) {
    return new ServedMono<>(this, request, CallKind.FIRE_AND_FORGET);
  }

  @Override
  public Flux<byte[]> requestStream(Frame request) {
    return new ServedFlux(this, request, null, CallKind.SERVER_STREAM);
  }

  @Override
  public Flux<byte[]> requestChannel(Frame head, Flux<byte[]> requests) {
    return new ServedFlux(this, head, requests, null);
  }

  /**
   * Runs one call: finds its endpoint, decodes, builds the call, and subscribes {@code actual} to
   * the endpoint's answers through one {@link Served} subscriber. Errors before the handler runs
   * (unknown route, bad header, undecodable request) are signalled the same way.
   */
  private void serve(
      Frame frame,
      @Nullable Flux<byte[]> requests,
      @Nullable CallKind expected,
      CoreSubscriber<? super Object> actual) {
    long start = System.nanoTime();
    Endpoint endpoint = null;
    Call call = null;
    CorePublisher<Object> answers;
    Codec codec;
    try {
      if (draining) {
        throw VireoException.of(
            Status.UNAVAILABLE, "service %s is shutting down; call another instance", serviceName);
      }
      codec = codecs.forContentType(frame.contentType());
      endpoint = endpoints.get(frame.route());
      if (endpoint == null) {
        call = unknownCall(frame, expected);
        answers = unknown(call, frame.route());
      } else {
        check(endpoint, frame, expected);
        call = call(frame, endpoint);
        answers = endpoint.answer(call, codec, frame, requests);
      }
    } catch (Throwable e) {
      if (e instanceof Error error && !(e instanceof AssertionError)) {
        throw error;
      }
      Operators.error(actual, toStatus(e, call));
      return;
    }
    // as Reactor's operators subscribe to their sources: the public subscribe(Subscriber) looks up
    // assembly hooks and context propagation each time, a tenth of a fire-and-forget server
    answers.subscribe(new Served(this, actual, call, codec));
    if (endpoint != null) {
      endpoint.held(start);
    }
  }

  /**
   * A call to a route this server does not serve goes through the server wrappers too, so that
   * metrics, logs and traces see it, under the one bounded {@link Route#UNKNOWN} (never the
   * caller's string); it ends UNIMPLEMENTED, naming the route asked for and the routes served.
   */
  private Flux<Object> unknown(Call call, Route asked) {
    CallFunction chain = (c, requests) -> Flux.error(unknownRoute(asked));
    for (int i = wrappers.size() - 1; i >= 0; i--) {
      chain = wrappers.get(i).server(chain);
    }
    return chain.apply(call, Flux.empty());
  }

  private Call unknownCall(Frame frame, @Nullable CallKind expected) {
    Headers headers = frame.headers().without(Headers.TIMEOUT);
    return new Call(
        serviceName,
        Route.UNKNOWN,
        expected == null ? CallKind.BIDI_STREAM : expected,
        headers,
        Duration.ZERO,
        false);
  }

  private void check(Endpoint endpoint, Frame frame, @Nullable CallKind expected) {
    CallKind kind = endpoint.method.kind();
    boolean matches = expected == null ? kind.clientStreams() : kind == expected;
    if (!matches) {
      throw VireoException.of(
          Status.UNIMPLEMENTED,
          "route %s is a %s endpoint; it was called as %s",
          frame.route(),
          kind,
          expected == null ? "a request channel" : expected);
    }
  }

  private VireoException unknownRoute(Route route) {
    return VireoException.of(
        Status.UNIMPLEMENTED,
        "unknown route %s on service %s (it serves: %s)",
        route,
        serviceName,
        routes.keySet());
  }

  private Call call(Frame frame, Endpoint endpoint) {
    Headers headers = frame.headers();
    Duration timeout = Duration.ZERO;
    String millis = headers.get(Headers.TIMEOUT).orElse(null);
    if (millis != null) {
      try {
        timeout = Duration.ofMillis(Math.max(1, Long.parseLong(millis)));
      } catch (NumberFormatException e) {
        throw VireoException.of(
            Status.INVALID_ARGUMENT,
            "header %s: '%s' (expected: milliseconds)",
            Headers.TIMEOUT,
            millis);
      }
      headers = headers.without(Headers.TIMEOUT);
    }
    return new Call(
        serviceName,
        frame.route(),
        endpoint.method.kind(),
        headers,
        timeout,
        endpoint.method.idempotent());
  }

  private static VireoException deadlineExceeded(Call call) {
    return VireoException.of(
        Status.DEADLINE_EXCEEDED,
        "%s did not finish within the caller's deadline of %d ms",
        call.route(),
        call.timeout().toMillis());
  }

  private void enter() {
    inFlight.incrementAndGet();
  }

  private void exit() {
    if (inFlight.decrementAndGet() == 0 && draining) {
      drained.tryEmitEmpty();
    }
  }

  /**
   * The error as the caller gets it. An exception that is not a {@link VireoException} of the
   * handler's (or a wrapper's) making keeps its status, but its text stays here, in the log with
   * the call's trace id, unless {@code vireo.server.error-details=true}.
   */
  private VireoException toStatus(Throwable error, @Nullable Call call) {
    VireoException vireo = VireoException.from(error);
    if (!vireo.converted() || vireo.getCause() instanceof VireoException) {
      if (vireo.status() == Status.INTERNAL || vireo.status() == Status.UNKNOWN) {
        log.warn(
            "{}: call failed with {}: {}",
            serviceName,
            vireo.status(),
            vireo.getMessage(),
            vireo.getCause() != null ? vireo.getCause() : vireo);
      }
      return vireo;
    }
    String trace = traceId(call);
    Throwable cause = vireo.getCause() != null ? vireo.getCause() : vireo;
    String route = call != null ? call.route().toString() : "a call";
    log.warn(
        "{}: {} failed with {} (trace {}): {}",
        serviceName,
        route,
        vireo.status(),
        trace,
        cause.toString(),
        cause);
    if (options.errorDetails()) {
      return vireo;
    }
    return VireoException.of(
        vireo.status(),
        "%s failed: %s (details are in the server's log under trace %s; %s=true sends them)",
        route,
        vireo.status(),
        trace,
        ERROR_DETAILS_KEY);
  }

  /** The trace id of the call's traceparent, or a random one that the log line carries too. */
  private static String traceId(@Nullable Call call) {
    if (call != null) {
      String traceparent = call.headers().get(Headers.TRACEPARENT).orElse("");
      // 00-<32 hex trace id>-<16 hex span id>-<flags>
      if (traceparent.length() >= 35 && traceparent.charAt(2) == '-') {
        return traceparent.substring(3, 35);
      }
    }
    return Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
  }

  /** {@code requestResponse} and {@code fireAndForget}: the router's pipeline as a Mono. */
  private static final class ServedMono<T> extends Mono<T> {
    private final Router router;
    private final Frame frame;
    private final CallKind kind;

    ServedMono(Router router, Frame frame, CallKind kind) {
      this.router = router;
      this.frame = frame;
      this.kind = kind;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void subscribe(CoreSubscriber<? super T> actual) {
      router.serve(frame, null, kind, (CoreSubscriber<? super Object>) actual);
    }
  }

  /** {@code requestStream} and {@code requestChannel}: the router's pipeline as a Flux. */
  private static final class ServedFlux extends Flux<byte[]> {
    private final Router router;
    private final Frame frame;
    private final @Nullable Flux<byte[]> requests;
    private final @Nullable CallKind kind;

    ServedFlux(
        Router router, Frame frame, @Nullable Flux<byte[]> requests, @Nullable CallKind kind) {
      this.router = router;
      this.frame = frame;
      this.requests = requests;
      this.kind = kind;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void subscribe(CoreSubscriber<? super byte[]> actual) {
      router.serve(
          frame, requests, kind, (CoreSubscriber<? super Object>) (CoreSubscriber<?>) actual);
    }
  }

  /**
   * Between the endpoint's answers and the transport: encodes each answer (none for
   * fire-and-forget), gives the handler the call in its context, counts the call in flight until it
   * ends (whatever the signal, once), and turns errors into statuses. One object per call where
   * {@code map}, {@code contextWrite}, {@code using} and {@code onErrorMap} would be four.
   */
  private static final class Served extends Relay<Object, Object> {
    private static final AtomicIntegerFieldUpdater<Served> ENDED =
        AtomicIntegerFieldUpdater.newUpdater(Served.class, "ended");

    private final Router router;
    private final Call call;
    private final Codec codec;
    private final Context context;
    private volatile int ended;

    Served(Router router, CoreSubscriber<? super Object> actual, Call call, Codec codec) {
      super(actual);
      this.router = router;
      this.call = call;
      this.codec = codec;
      this.context = actual.currentContext().put(Call.class, call);
      router.enter();
    }

    @Override
    public Context currentContext() {
      return context;
    }

    @Override
    public void onNext(Object answer) {
      if (ended != 0) {
        return;
      }
      if (call.kind() == CallKind.FIRE_AND_FORGET) {
        return;
      }
      byte[] data;
      try {
        data = codec.encode(answer);
      } catch (RuntimeException e) {
        cancelUpstream();
        onError(e);
        return;
      }
      actual.onNext(data);
    }

    @Override
    public void onError(Throwable error) {
      if (end()) {
        actual.onError(router.toStatus(error, call));
      } else {
        Operators.onErrorDropped(error, context);
      }
    }

    @Override
    public void onComplete() {
      if (end()) {
        actual.onComplete();
      }
    }

    @Override
    public void cancel() {
      cancelUpstream();
      end();
    }

    private boolean end() {
      if (ENDED.compareAndSet(this, 0, 1)) {
        router.exit();
        return true;
      }
      return false;
    }
  }

  /**
   * One served endpoint: its method, its bound handler and its pipeline function, which is the
   * handler itself, or the server wrappers composed around it.
   */
  private static final class Endpoint {
    final Router router;
    final EndpointMethod method;
    final MethodHandle invoker;
    final @Nullable CallFunction wrapped;
    final @Nullable Scheduler scheduler;
    final AtomicBoolean warned = new AtomicBoolean();

    Endpoint(
        Router router,
        EndpointMethod method,
        MethodHandle invoker,
        List<Wrapper> wrappers,
        boolean blocking) {
      this.router = router;
      this.method = method;
      this.invoker = invoker;
      this.scheduler = blocking ? Schedulers.boundedElastic() : null;
      CallFunction chain = this::terminal;
      for (int i = wrappers.size() - 1; i >= 0; i--) {
        chain = wrappers.get(i).server(chain);
      }
      this.wrapped = wrappers.isEmpty() ? null : chain;
    }

    /** The answers to one call, under its deadline. */
    CorePublisher<Object> answer(
        Call call, Codec codec, Frame frame, @Nullable Flux<byte[]> requests) {
      CallKind kind = call.kind();
      if (kind.clientStreams()) {
        Flux<byte[]> incoming = requests == null ? Flux.empty() : requests;
        Flux<Object> messages = incoming.map(data -> codec.decode(data, method.requestType()));
        Flux<Object> answers =
            wrapped != null ? wrapped.apply(call, messages) : terminal(call, messages);
        return kind == CallKind.CLIENT_STREAM
            ? deadline(answers.next(), call)
            : deadline(answers, call);
      }
      Object message = codec.decode(frame.data(), method.requestType());
      if (kind == CallKind.SERVER_STREAM) {
        Flux<Object> answers =
            wrapped != null ? wrapped.apply(call, Flux.just(message)) : stream(message);
        return deadline(answers, call);
      }
      Mono<Object> answer =
          wrapped != null ? wrapped.apply(call, Flux.just(message)).next() : single(message);
      return deadline(answer, call);
    }

    /**
     * The innermost function of the wrapper chain: the handler, as {@link #answer} calls it when
     * there are no wrappers.
     */
    private Flux<Object> terminal(Call call, Flux<Object> requests) {
      Object one = method.kind().clientStreams() ? null : OneRequest.of(requests);
      if (one != null) {
        return method.kind() == CallKind.SERVER_STREAM ? stream(one) : single(one).flux();
      }
      switch (method.kind()) {
        case UNARY:
        case FIRE_AND_FORGET:
          return requests.next().flatMap(this::single).flux();
        case SERVER_STREAM:
          return requests.next().flatMapMany(this::stream);
        case CLIENT_STREAM:
          return single(requests).flux();
        default:
          return stream(requests);
      }
    }

    private Mono<Object> single(Object argument) {
      Mono<Object> answer =
          scheduler == null
              ? invokeMono(argument)
              : Mono.defer(() -> invokeMono(argument)).subscribeOn(scheduler);
      return answer;
    }

    private Flux<Object> stream(Object argument) {
      return scheduler == null
          ? invokeFlux(argument)
          : Flux.defer(() -> invokeFlux(argument)).subscribeOn(scheduler);
    }

    private <T> Mono<T> deadline(Mono<T> mono, Call call) {
      return call.timeout().isZero()
          ? mono
          : Deadlines.within(mono, call.timeout(), () -> deadlineExceeded(call));
    }

    private <T> Flux<T> deadline(Flux<T> flux, Call call) {
      return call.timeout().isZero()
          ? flux
          : Deadlines.within(flux, call.timeout(), () -> deadlineExceeded(call));
    }

    @SuppressWarnings("unchecked")
    Mono<Object> invokeMono(Object argument) {
      Object result = invoke(argument);
      return result instanceof Throwable failed ? Mono.error(failed) : (Mono<Object>) result;
    }

    @SuppressWarnings("unchecked")
    Flux<Object> invokeFlux(Object argument) {
      Object result = invoke(argument);
      return result instanceof Throwable failed
          ? Flux.error(failed)
          : Flux.from((Publisher<Object>) result);
    }

    /** The handler's publisher, or what it threw (to be signalled, not thrown). */
    private Object invoke(Object argument) {
      Object result;
      try {
        result = invoker.invokeExact(argument);
      } catch (Throwable e) {
        if (e instanceof Error error && !(e instanceof AssertionError)) {
          throw error;
        }
        return e;
      }
      if (result == null) {
        return VireoException.of(
            Status.INTERNAL, "handler %s returned null (expected: a Mono or Flux)", method.route());
      }
      return result;
    }

    private static boolean eventLoop(Thread thread) {
      return thread instanceof NonBlocking || thread instanceof FastThreadLocalThread;
    }

    /** After the call's synchronous part: warns once if it held an event-loop thread too long. */
    void held(long start) {
      long threshold = router.options.blockingWarnThreshold().toNanos();
      if (threshold == 0 || scheduler != null) {
        return;
      }
      long held = System.nanoTime() - start;
      if (held > threshold
          && eventLoop(Thread.currentThread())
          && warned.compareAndSet(false, true)) {
        log.warn(
            "{}: handler of {} held the event-loop thread {} for {} ms (over {} ms); every call on this connection "
                + "waited. Make it non-blocking, or mark it @io.vireo.Blocking (or set vireo.server.endpoints.{}.blocking=true) "
                + "to run it on a thread for blocking work. Warned once per endpoint.",
            router.serviceName,
            method.route(),
            Thread.currentThread().getName(),
            held / 1_000_000,
            router.options.blockingWarnThreshold().toMillis(),
            method.route().method());
      }
    }
  }
}
