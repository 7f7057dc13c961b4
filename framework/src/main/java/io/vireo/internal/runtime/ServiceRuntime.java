package io.vireo.internal.runtime;

import com.google.protobuf.Descriptors.FileDescriptor;
import io.vireo.EventHandler;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.broker.Broker;
import io.vireo.broker.SubscribeOptions;
import io.vireo.broker.Subscription;
import io.vireo.client.GenericClient;
import io.vireo.codec.Codec;
import io.vireo.config.Config;
import io.vireo.internal.config.KnownKeys;
import io.vireo.internal.config.LayeredConfig;
import io.vireo.internal.observability.Observability;
import io.vireo.registry.Registry;
import io.vireo.registry.ServiceInstance;
import io.vireo.selector.Filter;
import io.vireo.transport.Transport;
import io.vireo.wrapper.Wrapper;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * What a {@link io.vireo.Service} does, and the owner of its lifecycle: start the plugins in order,
 * stop them in reverse, each step bounded. The parts have owners of their own: {@link
 * ServiceBinding} (servers, instances, registration), {@link ServiceEvents} (publish chain,
 * subscriptions, broker), {@link ServiceAdminView} (what the admin endpoint shows).
 */
public final class ServiceRuntime {
  private static final Logger log = LoggerFactory.getLogger(ServiceRuntime.class);

  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

  /** How long a stopping service keeps serving after deregistering, before it drains: none. */
  public static final Duration DEFAULT_SHUTDOWN_DELAY = Duration.ZERO;

  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_HEALTH_INTERVAL = Duration.ofSeconds(5);

  /** A subscription to make at start. */
  public record SubscriptionSpec<T>(
      String topic, Class<T> type, SubscribeOptions options, EventHandler<? super T> handler) {}

  /** Everything the builder collected. */
  public record Spec(
      String name,
      String version,
      Map<String, String> settings,
      List<Router.Handler> handlers,
      List<SubscriptionSpec<?>> subscriptions,
      List<Wrapper> wrappers,
      List<Filter> filters,
      List<Supplier<Mono<Boolean>>> healthChecks,
      Map<String, String> metadata,
      Optional<Registry> registry,
      Optional<Broker> broker,
      Optional<Transport> transport,
      Optional<Codec> codec,
      List<FileDescriptor> descriptors) {}

  private enum State {
    NEW,
    STARTING,
    RUNNING,
    STOPPING,
    STOPPED
  }

  private final Spec spec;
  private final ServicePlugins plugins;
  private final LayeredConfig config;
  private final ShutdownSteps steps;
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
  private final CountDownLatch stopped = new CountDownLatch(1);

  // set by start()
  private Codecs codecs;
  private Registry registry;
  private ClientRuntime client;
  private volatile ServiceEvents events;
  private volatile ServiceBinding binding;
  private volatile boolean started;
  private volatile Optional<Observability> observability = Optional.empty();

  public ServiceRuntime(Spec spec) {
    this.spec = spec;
    this.plugins = new ServicePlugins(spec);
    this.config = plugins.config();
    this.steps = new ShutdownSteps(spec.name());
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
    ServiceBinding current = binding;
    return current == null ? Optional.empty() : current.instance();
  }

  public boolean isRunning() {
    return state.get() == State.RUNNING;
  }

  public void start() {
    if (!state.compareAndSet(State.NEW, State.STARTING)) {
      throw new IllegalStateException(
          "service "
              + spec.name()
              + " is "
              + state.get()
              + " (expected: NEW; a service starts once)");
    }
    try {
      // a wrong form or a misspelt plugin name fails here, not at the first call or publish
      KnownKeys.check(config);
      Duration startTimeout =
          config.getDuration("vireo.server.start-timeout", DEFAULT_START_TIMEOUT);
      plugins.checkNames();
      spec.handlers().forEach(handler -> ProtoCheck.check(handler.iface()));
      Codec codec = plugins.codec();
      codecs = new Codecs(codec, config);
      registry = plugins.registry();
      List<String> names = plugins.transportNames();
      Transport transport = plugins.preferredTransport();
      List<Wrapper> wrappers = plugins.wrappers();
      client =
          new ClientRuntime(
              spec.name(),
              config,
              registry,
              codec,
              spec.filters(),
              wrappers,
              plugins::transport,
              transport.name());
      events = new ServiceEvents(spec, config, codecs, wrappers);
      binding = new ServiceBinding(spec, config, registry, this::isRunning);
      observability =
          Optional.of(
              Observability.start(
                  new ServiceAdminView(
                      spec,
                      config,
                      () -> state.get().name(),
                      () -> started,
                      binding,
                      events,
                      registry,
                      plugins.transports(),
                      codecs,
                      wrappers),
                  registry,
                  wrappers,
                  config,
                  startTimeout));
      if (!spec.handlers().isEmpty()) {
        List<Transport> serving = new ArrayList<>();
        serving.add(transport);
        names.stream().skip(1).map(plugins::transport).forEach(serving::add);
        binding.serve(wrappers, codecs, serving, adminAddress(), startTimeout);
      }
      events.subscribeAll(startTimeout);
      binding.watchHealth(spec.healthChecks());
      state.set(State.RUNNING);
      started = true;
      log.info(
          "{} started{}",
          spec.version().isBlank() ? spec.name() : spec.name() + " " + spec.version(),
          instance().map(i -> " on " + i.transport() + "://" + i.address()).orElse(""));
    } catch (RuntimeException e) {
      log.error("{} failed to start: {}", spec.name(), e.getMessage());
      state.set(State.STOPPING);
      release();
      throw e;
    }
  }

  public <T> T client(String service, Class<T> iface) {
    requireStartedForClients();
    return client.proxy(service, iface);
  }

  public GenericClient genericClient(String service) {
    requireStartedForClients();
    return client.generic(service);
  }

  private void requireStartedForClients() {
    State now = state.get();
    if (now != State.RUNNING && now != State.STARTING) {
      throw new IllegalStateException(
          "service "
              + spec.name()
              + " is "
              + now
              + " (expected: start() it before making clients)");
    }
  }

  public Registry registry() {
    if (registry == null) {
      throw new IllegalStateException(
          "service " + spec.name() + " is " + state.get() + " (expected: start() it first)");
    }
    return registry;
  }

  public Mono<Void> publish(String topic, Optional<String> key, Object event) {
    return Mono.defer(
        () ->
            state.get() != State.RUNNING
                ? Mono.error(
                    VireoException.of(
                        Status.UNAVAILABLE,
                        "service %s is %s (expected: RUNNING to publish)",
                        spec.name(),
                        state.get()))
                : events.publish(topic, key, event));
  }

  /**
   * The {@code vireo-type} a subscriber of {@code type} accepts (see {@link
   * ServiceEvents#expectedType}).
   */
  public static Optional<String> expectedType(Class<?> type) {
    return ServiceEvents.expectedType(type);
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
    State was =
        state.getAndUpdate(s -> s == State.RUNNING || s == State.STARTING ? State.STOPPING : s);
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

  /**
   * Takes this service's instances out of the registry without stopping it (calls still served),
   * until {@link #online()}: for a deploy's preStop, or an operator draining traffic.
   */
  public Mono<Void> offline() {
    return Mono.defer(() -> binding == null ? Mono.empty() : binding.offline());
  }

  /** Registers this service's instances again after {@link #offline()}. */
  public Mono<Void> online() {
    return Mono.defer(() -> binding == null ? Mono.empty() : binding.online());
  }

  /** Every instance registered, one per transport served. */
  public List<ServiceInstance> instances() {
    ServiceBinding current = binding;
    return current == null ? List.of() : current.instances();
  }

  /**
   * Stops in the reverse order of start: unbind, subscriptions, client, broker, transports,
   * registry, admin endpoint, config sources.
   */
  private void release() {
    Duration timeout =
        config.getDuration("vireo.server.shutdown-timeout", DEFAULT_SHUTDOWN_TIMEOUT);
    if (binding != null) {
      binding.unbind(steps, timeout);
    }
    if (events != null) {
      for (Subscription subscription : events.subscriptions()) {
        steps.run(
            "close subscription to " + subscription.topic(),
            subscription.close(),
            timeout.plusSeconds(1));
      }
    }
    if (client != null) {
      client.close();
    }
    Optional<Broker> broker = events == null ? Optional.empty() : events.broker();
    if (broker.isPresent() && spec.broker().isEmpty()) {
      steps.run("close broker", broker.get().close(), timeout.plusSeconds(1));
    }
    plugins.close(steps, timeout);
    observability.ifPresent(o -> o.stop(timeout));
    observability = Optional.empty();
    steps.run("close config sources", config.close(), timeout);
    state.set(State.STOPPED);
    stopped.countDown();
    log.info("{} stopped", spec.name());
  }
}
