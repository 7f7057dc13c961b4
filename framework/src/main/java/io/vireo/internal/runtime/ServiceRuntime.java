package io.vireo.internal.runtime;

import com.google.protobuf.Message;
import io.vireo.Call;
import io.vireo.Event;
import io.vireo.EventHandler;
import io.vireo.Headers;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.broker.Broker;
import io.vireo.broker.MessageHandler;
import io.vireo.broker.SubscribeOptions;
import io.vireo.broker.Subscription;
import io.vireo.broker.spi.BrokerProvider;
import io.vireo.codec.Codec;
import io.vireo.codec.spi.CodecProvider;
import io.vireo.config.Config;
import io.vireo.config.ConfigSource;
import io.vireo.config.spi.ConfigSourceProvider;
import io.vireo.internal.config.KnownKeys;
import io.vireo.internal.config.LayeredConfig;
import io.vireo.internal.observability.Disabled;
import io.vireo.internal.observability.Observability;
import io.vireo.internal.observability.ServiceView;
import io.vireo.internal.reflection.ReflectionService;
import io.vireo.registry.Registry;
import io.vireo.registry.ServiceInstance;
import io.vireo.registry.spi.RegistryProvider;
import io.vireo.selector.Filter;
import io.vireo.selector.spi.SelectorProvider;
import io.vireo.transport.Server;
import io.vireo.transport.Transport;
import io.vireo.transport.spi.TransportProvider;
import io.vireo.wrapper.EventFunction;
import io.vireo.wrapper.PublishFunction;
import io.vireo.wrapper.Wrapper;
import io.vireo.wrapper.spi.WrapperProvider;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** What a {@link io.vireo.Service} does: its lifecycle, server, client, events. */
public final class ServiceRuntime {
  private static final Logger log = LoggerFactory.getLogger(ServiceRuntime.class);

  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
  /** How long a stopping service keeps serving after deregistering, before it drains: none. */
  public static final Duration DEFAULT_SHUTDOWN_DELAY = Duration.ZERO;
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_HEALTH_INTERVAL = Duration.ofSeconds(5);

  /** A handler to serve. */
  public record HandlerSpec(Class<?> iface, Object implementation) {}

  /** A subscription to make at start. */
  public record SubscriptionSpec<T>(String topic, Class<T> type, SubscribeOptions options, EventHandler<? super T> handler) {}

  /** Everything the builder collected. */
  public record Spec(String name, String version, Map<String, String> settings, List<HandlerSpec> handlers,
      List<SubscriptionSpec<?>> subscriptions, List<Wrapper> wrappers, List<Filter> filters,
      List<Supplier<Mono<Boolean>>> healthChecks, Map<String, String> metadata, Optional<Registry> registry,
      Optional<Broker> broker, Optional<Transport> transport, Optional<Codec> codec,
      List<com.google.protobuf.Descriptors.FileDescriptor> descriptors) {}

  private enum State { NEW, STARTING, RUNNING, STOPPING, STOPPED }

  private final Spec spec;
  private final LayeredConfig config;
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Map<String, Transport> transports = new ConcurrentHashMap<>();
  private final List<Subscription> subscriptions = new ArrayList<>();

  // set by start()
  private Codecs codecs;
  private Registry registry;
  private Transport transport;
  private List<Wrapper> wrappers = List.of();
  private ClientRuntime client;
  private PublishFunction publisher;
  private volatile Broker broker;
  private Router router;
  private final List<Server> servers = new ArrayList<>();
  private final List<ServiceInstance> instances = new ArrayList<>();
  private volatile Optional<ServiceInstance> instance = Optional.empty();
  private volatile boolean registered;
  private volatile boolean offline;
  private volatile boolean started;
  private Disposable health;
  private volatile Optional<Observability> observability = Optional.empty();

  public ServiceRuntime(Spec spec) {
    this.spec = spec;
    this.config = buildConfig(spec);
  }

  private static LayeredConfig buildConfig(Spec spec) {
    LayeredConfig.Builder builder = LayeredConfig.builder()
        .setAll(spec.settings())
        .set("vireo.service.name", spec.name());
    LayeredConfig base = builder.build();
    Optional<String> sources = base.get("vireo.config.sources");
    if (sources.isEmpty() || sources.get().isBlank()) {
      return base;
    }
    for (String name : sources.get().split(",")) {
      if (!name.isBlank()) {
        ConfigSource source = Plugins.create(ConfigSourceProvider.class, "config.sources", name.trim(), base);
        builder.source(source);
      }
    }
    return builder.build();
  }

  public String name() {
    return spec.name();
  }

  public String version() {
    return spec.version();
  }

  public Config config() {
    return config;
  }

  public Optional<ServiceInstance> instance() {
    return instance;
  }

  public boolean isRunning() {
    return state.get() == State.RUNNING;
  }

  public void start() {
    if (!state.compareAndSet(State.NEW, State.STARTING)) {
      throw new IllegalStateException("service " + spec.name() + " is " + state.get() + " (expected: NEW; a service starts once)");
    }
    try {
      // a wrong form or a misspelt plugin name fails here, not at the first call or publish
      KnownKeys.check(config);
      Duration startTimeout = config.getDuration("vireo.server.start-timeout", DEFAULT_START_TIMEOUT);
      if (spec.broker().isEmpty()) {
        Plugins.provider(BrokerProvider.class, "broker", config.get("vireo.broker", "memory"));
      }
      Plugins.provider(SelectorProvider.class, "selector", config.get("vireo.selector", "round-robin"));
      spec.handlers().forEach(handler -> ProtoCheck.check(handler.iface()));
      Codec codec = spec.codec().orElseGet(() ->
          Plugins.create(CodecProvider.class, "codec", config.get("vireo.codec", "proto"), config));
      codecs = new Codecs(codec, config);
      registry = spec.registry().orElseGet(() ->
          Plugins.create(RegistryProvider.class, "registry", config.get("vireo.registry", "memory"), config));
      List<String> names = transportNames();
      transport = spec.transport().orElseGet(() -> Plugins.create(TransportProvider.class, "transport", names.get(0), config));
      transports.put(transport.name(), transport);
      wrappers = wrappers();
      client = new ClientRuntime(spec.name(), config, registry, codec, spec.filters(), wrappers, this::transport,
          transport.name());
      publisher = publishChain();
      observability = Optional.of(Observability.start(view(), registry, wrappers, config, startTimeout));
      if (!spec.handlers().isEmpty()) {
        serve(startTimeout);
      }
      for (SubscriptionSpec<?> subscription : spec.subscriptions()) {
        subscriptions.add(subscribe(subscription).block(startTimeout));
      }
      if (!spec.healthChecks().isEmpty() && instance.isPresent()) {
        watchHealth();
      }
      state.set(State.RUNNING);
      started = true;
      log.info("{} started{}", spec.version().isBlank() ? spec.name() : spec.name() + " " + spec.version(),
          instance.map(i -> " on " + i.transport() + "://" + i.address()).orElse(""));
    } catch (RuntimeException e) {
      log.error("{} failed to start: {}", spec.name(), e.getMessage());
      state.set(State.STOPPING);
      release();
      throw e;
    }
  }

  private List<Wrapper> wrappers() {
    List<Wrapper> all = new ArrayList<>();
    for (String name : config.get("vireo.wrappers", "").split(",")) {
      if (!name.isBlank()) {
        Wrapper wrapper = Plugins.create(WrapperProvider.class, "wrappers", name.trim(), config);
        if (!(wrapper instanceof Disabled)) { // e.g. tracing with no OpenTelemetry SDK: nothing in the chain
          all.add(wrapper);
        }
      }
    }
    all.addAll(spec.wrappers());
    // innermost: circuit breakers, retries, limits asked for in vireo.client.services.* / vireo.server.endpoints.*
    all.addAll(io.vireo.resilience.Resilience.fromConfig(config));
    return List.copyOf(all);
  }

  /** {@code vireo.transport}: one name, or several to serve on each (the first is the one clients prefer). */
  private List<String> transportNames() {
    List<String> names = new ArrayList<>();
    for (String name : config.get("vireo.transport", "rsocket").split(",")) {
      if (!name.isBlank() && !names.contains(name.trim())) {
        names.add(name.trim());
      }
    }
    if (names.isEmpty()) {
      throw new IllegalArgumentException("vireo.transport: empty (expected: rsocket, grpc or memory, or a list such as rsocket,grpc)");
    }
    return names;
  }

  private void serve(Duration startTimeout) {
    List<Router.Handler> handlers = new ArrayList<>(spec.handlers().stream()
        .map(h -> new Router.Handler(h.iface(), h.implementation())).toList());
    if (config.getBoolean("vireo.server.reflection", true)) {
      handlers.addAll(reflection(handlers));
    }
    router = Router.create(spec.name(), handlers, wrappers, codecs, config);
    String host = config.get("vireo.server.host", "127.0.0.1");
    String advertised = config.get("vireo.server.advertise-host").orElseGet(() -> advertisedHost(host));
    Map<String, String> metadata = new LinkedHashMap<>(config.subset("vireo.server.metadata"));
    metadata.putAll(spec.metadata());
    adminAddress().ifPresent(admin -> metadata.put(ServiceInstance.ADMIN_PORT_METADATA, Integer.toString(admin.getPort())));
    List<String> endpoints = router.routes().keySet().stream().map(r -> r.rsocketName()).sorted().toList();
    String id = spec.name() + "-" + UUID.randomUUID().toString().substring(0, 8);
    List<String> names = transportNames();
    for (int i = 0; i < names.size(); i++) {
      Transport serving = i == 0 ? transport : transport(names.get(i));
      int port = port("vireo.server." + serving.name() + ".port", i == 0 ? port("vireo.server.port", 0) : 0);
      Server server = serving.serve(new InetSocketAddress(host, port), router).block(startTimeout);
      servers.add(server);
      instances.add(new ServiceInstance(spec.name(), names.size() == 1 ? id : id + "-" + serving.name(),
          advertised, server.address().getPort(), serving.name(), spec.version(),
          config.getInt("vireo.server.weight", ServiceInstance.DEFAULT_WEIGHT), metadata, endpoints));
    }
    instance = Optional.of(instances.get(0));
    registerAll().block(startTimeout);
    registered = true;
  }

  /** gRPC server reflection, served like any handler (so on every transport, through the server wrappers). */
  private List<Router.Handler> reflection(List<Router.Handler> handlers) {
    List<String> served = new ArrayList<>();
    List<Class<?>> types = new ArrayList<>();
    for (Router.Handler handler : handlers) {
      for (EndpointMethod method : EndpointMethod.of(handler.iface())) {
        served.add(method.route().service());
        types.add(method.requestType());
        types.add(method.responseType());
      }
    }
    ReflectionService reflection = ReflectionService.of(served, types, spec.descriptors());
    log.debug("{}: server reflection lists {}", spec.name(), reflection.services());
    return List.of(new Router.Handler(io.vireo.internal.reflection.ServerReflection.class, reflection),
        new Router.Handler(io.vireo.internal.reflection.ServerReflection.Legacy.class, reflection));
  }

  private int port(String key, int defaultValue) {
    return config.get(key).map(value -> KnownKeys.port(key, value)).orElse(defaultValue);
  }

  private Mono<Void> registerAll() {
    return Flux.fromIterable(instances).concatMap(registry::register).then();
  }

  private Mono<Void> deregisterAll() {
    return Flux.fromIterable(instances).concatMap(registry::deregister).then();
  }

  private static String advertisedHost(String bindHost) {
    if (!bindHost.equals("0.0.0.0") && !bindHost.equals("::")) {
      return bindHost;
    }
    try {
      return InetAddress.getLocalHost().getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalStateException("vireo.server.host: '" + bindHost
          + "' and the local host name does not resolve (expected: set vireo.server.advertise-host)", e);
    }
  }

  private void watchHealth() {
    Duration interval = config.getDuration("vireo.registry.health-interval", DEFAULT_HEALTH_INTERVAL);
    health = Flux.interval(interval, interval)
        .onBackpressureDrop()
        .concatMap(tick -> Flux.fromIterable(spec.healthChecks())
            .concatMap(check -> Mono.defer(check).onErrorReturn(false).defaultIfEmpty(false))
            .all(Boolean::booleanValue)
            .flatMap(this::applyHealth)
            .onErrorResume(e -> {
              log.warn("{}: health update failed: {}", spec.name(), e.toString());
              return Mono.empty();
            }))
        .subscribe();
  }

  private Mono<Void> applyHealth(boolean healthy) {
    ServiceInstance self = instance.orElseThrow();
    if (healthy && !registered && !offline && state.get() == State.RUNNING) {
      log.info("{}: health checks pass again, registering {}", spec.name(), self.id());
      return registerAll().doOnSuccess(v -> registered = true);
    }
    if (!healthy && registered) {
      log.warn("{}: a health check fails, deregistering {} until it passes", spec.name(), self.id());
      return deregisterAll().doOnSuccess(v -> registered = false);
    }
    return Mono.empty();
  }

  private Transport transport(String name) {
    return transports.computeIfAbsent(name, n -> Plugins.create(TransportProvider.class, "transport", n, config));
  }

  private Broker broker() {
    Broker current = broker;
    if (current == null) {
      synchronized (this) {
        current = broker;
        if (current == null) {
          current = spec.broker().orElseGet(() ->
              Plugins.create(BrokerProvider.class, "broker", config.get("vireo.broker", "memory"), config));
          broker = current;
        }
      }
    }
    return current;
  }

  public <T> T client(String service, Class<T> iface) {
    State now = state.get();
    if (now != State.RUNNING && now != State.STARTING) {
      throw new IllegalStateException("service " + spec.name() + " is " + now + " (expected: start() it before making clients)");
    }
    return client.proxy(service, iface);
  }

  public io.vireo.client.GenericClient genericClient(String service) {
    State now = state.get();
    if (now != State.RUNNING && now != State.STARTING) {
      throw new IllegalStateException("service " + spec.name() + " is " + now + " (expected: start() it before making clients)");
    }
    return client.generic(service);
  }

  public Registry registry() {
    if (registry == null) {
      throw new IllegalStateException("service " + spec.name() + " is " + state.get() + " (expected: start() it first)");
    }
    return registry;
  }

  public Mono<Void> publish(String topic, Optional<String> key, Object event) {
    return Mono.deferContextual(context -> {
      if (state.get() != State.RUNNING) {
        return Mono.error(VireoException.of(Status.UNAVAILABLE, "service %s is %s (expected: RUNNING to publish)", spec.name(), state.get()));
      }
      if (topic.isEmpty()) {
        return Mono.error(VireoException.of(Status.INVALID_ARGUMENT, "topic: empty (expected: a name such as user.created)"));
      }
      Headers headers = Headers.of(
          io.vireo.broker.Message.MESSAGE_ID, messageId(),
          io.vireo.broker.Message.TYPE, typeName(event),
          io.vireo.broker.Message.PUBLISHED_AT, publishedAt());
      Optional<String> traceparent = Call.from(context).flatMap(call -> call.headers().get(Headers.TRACEPARENT));
      if (traceparent.isPresent()) {
        headers = headers.with(Headers.TRACEPARENT, traceparent.get());
      }
      return publisher.publish(new Event(topic, key, headers, event));
    });
  }

  /**
   * A random (version 4) UUID from {@code ThreadLocalRandom}: an id must be unique, not
   * unguessable, and {@code UUID.randomUUID()}'s SecureRandom costs a shared lock per event.
   */
  static String messageId() {
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & ~(0xC000_0000_0000_0000L)) | 0x8000_0000_0000_0000L;
    return new UUID(high, low).toString();
  }

  private static volatile Stamp lastStamp = new Stamp(0, Instant.EPOCH.toString());

  private record Stamp(long millis, String text) {}

  /** Now in ISO-8601 with milliseconds; formatted once per millisecond, as events come in bursts. */
  static String publishedAt() {
    long now = System.currentTimeMillis();
    Stamp stamp = lastStamp;
    if (stamp.millis() != now) {
      stamp = new Stamp(now, Instant.ofEpochMilli(now).toString());
      lastStamp = stamp;
    }
    return stamp.text();
  }

  /**
   * The {@code vireo-type} a subscriber of {@code type} accepts: a concrete protobuf message's
   * full name. None (any) for other types: with the JSON codec two services often have classes of
   * their own, with other names, for one event.
   */
  public static Optional<String> expectedType(Class<?> type) {
    if (!Message.class.isAssignableFrom(type) || type.isInterface()
        || java.lang.reflect.Modifier.isAbstract(type.getModifiers())) {
      return Optional.empty();
    }
    try {
      Object descriptor = type.getMethod("getDescriptor").invoke(null);
      return Optional.of(((com.google.protobuf.Descriptors.Descriptor) descriptor).getFullName());
    } catch (ReflectiveOperationException | ClassCastException e) {
      return Optional.empty();
    }
  }

  private static String typeName(Object event) {
    return event instanceof Message message ? message.getDescriptorForType().getFullName() : event.getClass().getName();
  }

  private PublishFunction publishChain() {
    PublishFunction chain = event -> {
      Codec codec = codecs.primary();
      byte[] payload = codec.encode(event.payload());
      return broker().publish(new io.vireo.broker.Message(event.topic(), event.key(),
          event.headers().with(io.vireo.broker.Message.CONTENT_TYPE, codec.contentType()), payload));
    };
    for (int i = wrappers.size() - 1; i >= 0; i--) {
      chain = wrappers.get(i).publisher(chain);
    }
    return chain;
  }

  private <T> Mono<Subscription> subscribe(SubscriptionSpec<T> subscription) {
    EventFunction chain = event -> {
      T payload = subscription.type().cast(event.payload());
      Publisher<?> result = subscription.handler().handle(payload);
      if (result == null) {
        return Mono.error(VireoException.of(Status.INTERNAL, "handler of %s returned null (expected: a Mono)", event.topic()));
      }
      return Mono.from(result).then();
    };
    for (int i = wrappers.size() - 1; i >= 0; i--) {
      chain = wrappers.get(i).subscriber(chain);
    }
    EventFunction handler = chain;
    Optional<String> expectedType = expectedType(subscription.type());
    MessageHandler onMessage = message -> Mono.defer(() -> {
      Optional<String> sentType = message.headers().get(io.vireo.broker.Message.TYPE);
      if (expectedType.isPresent() && sentType.isPresent() && !sentType.get().equals(expectedType.get())) {
        // decoding would "work" (protobuf reads any bytes as any message) and deliver nonsense
        log.warn("{}: event on {} is a {} but the subscriber takes {}; not delivered (INVALID_ARGUMENT, to the dead letter"
            + " topic when it is enabled)", spec.name(), message.topic(), sentType.get(), expectedType.get());
        return Mono.error(VireoException.of(Status.INVALID_ARGUMENT,
            "event on %s is of type %s (header vireo-type) but the subscriber takes %s", message.topic(), sentType.get(),
            expectedType.get()));
      }
      Codec codec = message.headers().get(io.vireo.broker.Message.CONTENT_TYPE)
          .map(codecs::forContentType).orElse(codecs.primary());
      T payload = codec.decode(message.payload(), subscription.type());
      return handler.handle(new Event(message.topic(), message.key(), message.headers(), payload));
    });
    SubscribeOptions options = subscription.options().group().isPresent()
        ? subscription.options()
        : subscription.options().withGroup(spec.name());
    return broker().subscribe(subscription.topic(), options, onMessage);
  }

  public void run() {
    start();
    Thread hook = new Thread(this::stop, spec.name() + "-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the JVM is exiting; the hook is running or ran
    }
  }

  public void stop() {
    State was = state.getAndUpdate(s -> s == State.RUNNING || s == State.STARTING ? State.STOPPING : s);
    if (was == State.NEW) {
      state.set(State.STOPPED);
      stopped.countDown();
      return;
    }
    if (was != State.RUNNING && was != State.STARTING) {
      awaitStopped();
      return;
    }
    log.info("{} stopping", spec.name());
    release();
  }

  private void awaitStopped() {
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The admin endpoint's address, when {@code vireo.admin.port} is set and the service started. */
  public Optional<InetSocketAddress> adminAddress() {
    return observability.flatMap(Observability::adminAddress);
  }

  /** What the admin endpoint shows: live state, read on each request. */
  private ServiceView view() {
    return new ServiceView() {
      @Override
      public String name() {
        return spec.name();
      }

      @Override
      public String version() {
        return spec.version();
      }

      @Override
      public String state() {
        return state.get().name();
      }

      @Override
      public boolean serves() {
        return !spec.handlers().isEmpty();
      }

      @Override
      public boolean bound() {
        return !servers.isEmpty() && servers.stream().noneMatch(Server::isDisposed);
      }

      @Override
      public boolean registered() {
        return registered;
      }

      @Override
      public List<ServiceInstance> instances() {
        return ServiceRuntime.this.instances();
      }

      @Override
      public boolean started() {
        return started;
      }

      @Override
      public boolean offline() {
        return offline;
      }

      @Override
      public Mono<Void> takeOffline() {
        return ServiceRuntime.this.offline();
      }

      @Override
      public Mono<Void> bringOnline() {
        return ServiceRuntime.this.online();
      }

      @Override
      public List<String> endpoints() {
        return router == null ? List.of() : router.routes().keySet().stream().map(r -> r.rsocketName()).sorted().toList();
      }

      @Override
      public Map<String, String> plugins() {
        Map<String, String> plugins = new LinkedHashMap<>();
        plugins.put("registry", spec.registry().map(r -> r.getClass().getName()).orElse(config.get("vireo.registry", "memory")));
        plugins.put("transport", String.join(",", transports.keySet()));
        plugins.put("broker", spec.broker().map(b -> b.getClass().getName()).orElse(config.get("vireo.broker", "memory")));
        plugins.put("codec", codecs.primary().name());
        plugins.put("selector", config.get("vireo.selector", "round-robin"));
        plugins.put("wrappers", String.join(",", wrappers.stream().map(w -> w.getClass().getName()).toList()));
        return plugins;
      }

      @Override
      public Mono<Boolean> registryReachable() {
        return registry.reachable();
      }

      @Override
      public Optional<Mono<Boolean>> brokerReachable() {
        Broker current = broker;
        return current == null ? Optional.empty() : Optional.of(current.reachable());
      }
    };
  }

  /**
   * Takes this service's instances out of the registry without stopping it (calls still served),
   * until {@link #online()}: for a deploy's preStop, or an operator draining traffic.
   */
  public Mono<Void> offline() {
    return Mono.defer(() -> {
      offline = true;
      if (!registered) {
        return Mono.empty();
      }
      log.info("{}: taken offline, deregistering {}", spec.name(), instances.stream().map(ServiceInstance::id).toList());
      return deregisterAll().doOnSuccess(v -> registered = false);
    });
  }

  /** Registers this service's instances again after {@link #offline()}. */
  public Mono<Void> online() {
    return Mono.defer(() -> {
      offline = false;
      if (registered || instances.isEmpty() || state.get() != State.RUNNING) {
        return Mono.empty();
      }
      log.info("{}: back online, registering {}", spec.name(), instances.stream().map(ServiceInstance::id).toList());
      return registerAll().doOnSuccess(v -> registered = true);
    });
  }

  /** Every instance registered, one per transport served. */
  public List<ServiceInstance> instances() {
    return List.copyOf(instances);
  }

  /** Deregisters, drains, closes; each step bounded, each failure logged and passed. */
  private void release() {
    Duration timeout = config.getDuration("vireo.server.shutdown-timeout", DEFAULT_SHUTDOWN_TIMEOUT);
    if (health != null) {
      health.dispose();
    }
    if (registered) {
      quietly("deregister", deregisterAll(), timeout);
      registered = false;
      // clients learn of the deregistration through their registry watch; until they do, calls
      // keep coming, and a draining server would refuse them (UNAVAILABLE)
      Duration delay = config.getDuration("vireo.server.shutdown-delay", DEFAULT_SHUTDOWN_DELAY);
      if (!delay.isZero() && !delay.isNegative()) {
        quietly("wait for clients to see the deregistration", Mono.delay(delay).then(), delay.plusSeconds(1));
      }
    }
    if (router != null) {
      quietly("drain", router.drain(timeout), timeout.plusSeconds(1));
    }
    for (Server server : servers) {
      server.dispose();
      quietly("close server", server.onClose(), timeout);
    }
    for (Subscription subscription : subscriptions) {
      quietly("close subscription to " + subscription.topic(), subscription.close(), timeout.plusSeconds(1));
    }
    if (client != null) {
      client.close();
    }
    if (broker != null && spec.broker().isEmpty()) {
      quietly("close broker", broker.close(), timeout.plusSeconds(1));
    }
    for (Transport each : transports.values()) {
      if (spec.transport().filter(t -> t == each).isEmpty()) {
        quietly("close transport " + each.name(), each.close(), timeout);
      }
    }
    if (registry != null && spec.registry().isEmpty()) {
      quietly("close registry", registry.close(), timeout);
    }
    observability.ifPresent(o -> o.stop(timeout));
    observability = Optional.empty();
    quietly("close config sources", config.close(), timeout);
    state.set(State.STOPPED);
    stopped.countDown();
    log.info("{} stopped", spec.name());
  }

  private void quietly(String what, Mono<Void> step, Duration timeout) {
    try {
      step.block(timeout);
    } catch (RuntimeException e) {
      log.warn("{}: {} failed: {}", spec.name(), what, e.toString());
    }
  }
}
