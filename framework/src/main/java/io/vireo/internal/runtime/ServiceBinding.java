package io.vireo.internal.runtime;

import io.vireo.config.Config;
import io.vireo.internal.config.KnownKeys;
import io.vireo.internal.reflection.ReflectionService;
import io.vireo.internal.reflection.ServerReflection;
import io.vireo.registry.Registry;
import io.vireo.registry.ServiceInstance;
import io.vireo.transport.Server;
import io.vireo.transport.Transport;
import io.vireo.wrapper.Wrapper;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Where a service is reachable: its router, one server per transport, an instance per server, and
 * their registration, which follows the health checks and the operator (offline, online).
 */
final class ServiceBinding {
  // the service's log category, as before the split: users' logging settings name it
  private static final Logger log = LoggerFactory.getLogger(ServiceRuntime.class);

  private final ServiceRuntime.Spec spec;
  private final Config config;
  private final Registry registry;
  private final BooleanSupplier running;
  private final List<Server> servers = new ArrayList<>();
  private final List<ServiceInstance> instances = new ArrayList<>();
  private volatile Router router;
  private volatile boolean registered;
  private volatile boolean offline;
  private Disposable health;

  /** {@code running}: whether the service is RUNNING (it registers again only then). */
  ServiceBinding(
      ServiceRuntime.Spec spec, Config config, Registry registry, BooleanSupplier running) {
    this.spec = spec;
    this.config = config;
    this.registry = registry;
    this.running = running;
  }

  /**
   * Serves the handlers on each of {@code transports} (the first is the one clients prefer) and
   * registers.
   */
  void serve(
      List<Wrapper> wrappers,
      Codecs codecs,
      List<Transport> transports,
      Optional<InetSocketAddress> admin,
      Duration startTimeout) {
    List<Router.Handler> handlers = new ArrayList<>(spec.handlers());
    if (config.getBoolean("vireo.server.reflection", true)) {
      handlers.addAll(reflection(handlers));
    }
    router = Router.create(spec.name(), handlers, wrappers, codecs, config);
    String host = config.get("vireo.server.host", "127.0.0.1");
    String advertised =
        config.get("vireo.server.advertise-host").orElseGet(() -> advertisedHost(host));
    Map<String, String> metadata = new LinkedHashMap<>(config.subset("vireo.server.metadata"));
    metadata.putAll(spec.metadata());
    admin.ifPresent(
        address ->
            metadata.put(ServiceInstance.ADMIN_PORT_METADATA, Integer.toString(address.getPort())));
    List<String> endpoints = endpoints();
    String id = spec.name() + "-" + UUID.randomUUID().toString().substring(0, 8);
    for (int i = 0; i < transports.size(); i++) {
      Transport serving = transports.get(i);
      int port =
          port(
              "vireo.server." + serving.name() + ".port",
              i == 0 ? port("vireo.server.port", 0) : 0);
      Server server = serving.serve(new InetSocketAddress(host, port), router).block(startTimeout);
      servers.add(server);
      instances.add(
          new ServiceInstance(
              spec.name(),
              transports.size() == 1 ? id : id + "-" + serving.name(),
              advertised,
              server.address().getPort(),
              serving.name(),
              spec.version(),
              config.getInt("vireo.server.weight", ServiceInstance.DEFAULT_WEIGHT),
              metadata,
              endpoints));
    }
    registerAll().block(startTimeout);
    registered = true;
  }

  /**
   * gRPC server reflection, served like any handler (so on every transport, through the server
   * wrappers).
   */
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
    return List.of(
        new Router.Handler(ServerReflection.class, reflection),
        new Router.Handler(ServerReflection.Legacy.class, reflection));
  }

  private int port(String key, int defaultValue) {
    return config.get(key).map(value -> KnownKeys.port(key, value)).orElse(defaultValue);
  }

  private static String advertisedHost(String bindHost) {
    if (!bindHost.equals("0.0.0.0") && !bindHost.equals("::")) {
      return bindHost;
    }
    try {
      return InetAddress.getLocalHost().getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalStateException(
          "vireo.server.host: '"
              + bindHost
              + "' and the local host name does not resolve (expected: set vireo.server.advertise-host)",
          e);
    }
  }

  private Mono<Void> registerAll() {
    return Flux.fromIterable(instances).concatMap(registry::register).then();
  }

  private Mono<Void> deregisterAll() {
    return Flux.fromIterable(instances).concatMap(registry::deregister).then();
  }

  /**
   * Registers while every check passes, deregisters while one fails, checked every {@code
   * vireo.registry.health-interval}.
   */
  void watchHealth(List<Supplier<Mono<Boolean>>> checks) {
    if (checks.isEmpty() || instances.isEmpty()) {
      return;
    }
    Duration interval =
        config.getDuration(
            "vireo.registry.health-interval", ServiceRuntime.DEFAULT_HEALTH_INTERVAL);
    health =
        Flux.interval(interval, interval)
            .onBackpressureDrop()
            .concatMap(
                tick ->
                    Flux.fromIterable(checks)
                        .concatMap(
                            check -> Mono.defer(check).onErrorReturn(false).defaultIfEmpty(false))
                        .all(Boolean::booleanValue)
                        .flatMap(this::applyHealth)
                        .onErrorResume(
                            e -> {
                              log.warn("{}: health update failed: {}", spec.name(), e.toString());
                              return Mono.empty();
                            }))
            .subscribe();
  }

  private Mono<Void> applyHealth(boolean healthy) {
    ServiceInstance self = instances.get(0);
    if (healthy && !registered && !offline && running.getAsBoolean()) {
      log.info("{}: health checks pass again, registering {}", spec.name(), self.id());
      return registerAll().doOnSuccess(v -> registered = true);
    }
    if (!healthy && registered) {
      log.warn(
          "{}: a health check fails, deregistering {} until it passes", spec.name(), self.id());
      return deregisterAll().doOnSuccess(v -> registered = false);
    }
    return Mono.empty();
  }

  /** See {@link ServiceRuntime#offline()}. */
  Mono<Void> offline() {
    return Mono.defer(
        () -> {
          offline = true;
          if (!registered) {
            return Mono.empty();
          }
          log.info(
              "{}: taken offline, deregistering {}",
              spec.name(),
              instances.stream().map(ServiceInstance::id).toList());
          return deregisterAll().doOnSuccess(v -> registered = false);
        });
  }

  /** See {@link ServiceRuntime#online()}. */
  Mono<Void> online() {
    return Mono.defer(
        () -> {
          offline = false;
          if (registered || instances.isEmpty() || !running.getAsBoolean()) {
            return Mono.empty();
          }
          log.info(
              "{}: back online, registering {}",
              spec.name(),
              instances.stream().map(ServiceInstance::id).toList());
          return registerAll().doOnSuccess(v -> registered = true);
        });
  }

  Optional<ServiceInstance> instance() {
    return instances.isEmpty() ? Optional.empty() : Optional.of(instances.get(0));
  }

  List<ServiceInstance> instances() {
    return List.copyOf(instances);
  }

  boolean registered() {
    return registered;
  }

  boolean isOffline() {
    return offline;
  }

  /** Whether every server is bound (false before serving). */
  boolean bound() {
    return !servers.isEmpty() && servers.stream().noneMatch(Server::isDisposed);
  }

  List<String> endpoints() {
    Router current = router;
    return current == null
        ? List.of()
        : current.routes().keySet().stream().map(r -> r.fullName()).sorted().toList();
  }

  /**
   * Deregisters, waits {@code vireo.server.shutdown-delay}, drains the router and closes the
   * servers.
   */
  void unbind(ShutdownSteps steps, Duration timeout) {
    if (health != null) {
      health.dispose();
    }
    if (registered) {
      steps.run("deregister", deregisterAll(), timeout);
      registered = false;
      // clients learn of the deregistration through their registry watch; until they do, calls
      // keep coming, and a draining server would refuse them (UNAVAILABLE)
      Duration delay =
          config.getDuration("vireo.server.shutdown-delay", ServiceRuntime.DEFAULT_SHUTDOWN_DELAY);
      if (!delay.isZero() && !delay.isNegative()) {
        steps.run(
            "wait for clients to see the deregistration",
            Mono.delay(delay).then(),
            delay.plusSeconds(1));
      }
    }
    if (router != null) {
      steps.run("drain", router.drain(timeout), timeout.plusSeconds(1));
    }
    for (Server server : servers) {
      server.dispose();
      steps.run("close server", server.onClose(), timeout);
    }
  }
}
