package io.vireo.gateway;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vireo.Service;
import io.vireo.broker.Broker;
import io.vireo.config.Config;
import io.vireo.config.ConfigSource;
import io.vireo.config.spi.ConfigSourceProvider;
import io.vireo.gateway.console.Console;
import io.vireo.gateway.internal.Catalog;
import io.vireo.gateway.internal.FilterChains;
import io.vireo.gateway.internal.Front;
import io.vireo.gateway.internal.GatewayAuthAccess;
import io.vireo.gateway.internal.HttpProxy;
import io.vireo.gateway.internal.Plugins;
import io.vireo.gateway.internal.RegistryInstances;
import io.vireo.gateway.internal.Routing;
import io.vireo.gateway.internal.RpcCalls;
import io.vireo.gateway.internal.RpcMappings;
import io.vireo.gateway.internal.UpstreamClients;
import io.vireo.reflection.SchemaCache;
import io.vireo.registry.Registry;
import io.vireo.registry.ServiceInstance;
import io.vireo.registry.spi.RegistryProvider;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.resources.LoopResources;

/**
 * Vireo's API gateway: one HTTP entry point (HTTP/1.1, HTTP/2, WebSocket) for the services in the
 * registry and for plain HTTP upstreams, with routes and filters from configuration that change
 * live when the config center pushes.
 *
 * <pre>{@code
 * Gateway gateway = Gateway.builder()
 *     .set("vireo.gateway.port", "8080")
 *     .set("vireo.gateway.discovery.enabled", "true")
 *     .set("vireo.gateway.routes[0].path", "/legacy/**")
 *     .set("vireo.gateway.routes[0].uri", "http://127.0.0.1:9000")
 *     .build()
 *     .start();
 * // ...
 * gateway.stop();
 * }</pre>
 *
 * Every setting is a {@code vireo.*} key (see the module's README). The gateway is itself a Vireo
 * service: it registers in the registry as {@code gateway} (transport {@code http}), so that
 * gateways scale out by adding instances and share cluster-wide rate limits.
 */
public final class Gateway {
  private static final Logger log = LoggerFactory.getLogger(Gateway.class);

  /** The name the gateway registers under unless {@code vireo.service.name} says otherwise. */
  public static final String DEFAULT_NAME = "gateway";

  static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Builder spec;

  /** RSocketTransport's key, true by default in the gateway. */
  private static final String PER_EVENT_LOOP = "vireo.transport.rsocket.connection-per-event-loop";

  private final List<ConfigSource> sources = new ArrayList<>();
  private final List<Disposable> watches = new ArrayList<>();
  private final AtomicInteger gateways = new AtomicInteger(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile Config config;
  private Registry registry;
  private boolean ownRegistry;
  private Service service;
  private Front front;
  private Routing routing;
  private RegistryInstances instances;
  private SchemaCache schemas;
  private Catalog catalog;
  private UpstreamClients upstreams;
  private LoopResources loops;
  private Optional<ServiceInstance> registered = Optional.empty();
  private InetSocketAddress address;
  private final AtomicReference<Optional<String>> lastReloadError =
      new AtomicReference<>(Optional.empty());

  private Gateway(Builder spec) {
    this.spec = spec;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts: reads the configuration, binds the port, registers. Blocks until done; fails with what
   * to fix.
   */
  public synchronized Gateway start() {
    if (front != null) {
      throw new IllegalStateException("gateway already started (expected: start() once)");
    }
    try {
      config = buildConfig();
      String name = config.get("vireo.service.name", DEFAULT_NAME);
      if (spec.registry.isPresent()) {
        registry = spec.registry.get();
      } else {
        registry =
            Plugins.create(
                RegistryProvider.class,
                "vireo.registry",
                config.get("vireo.registry", "memory"),
                config);
        ownRegistry = true;
      }
      Service.Builder services = Service.builder(name).registry(registry);
      // an RSocket call goes out on a connection of the HTTP request's own loop: no task crosses
      // threads (unless configured off)
      services.set(PER_EVENT_LOOP, Boolean.toString(config.getBoolean(PER_EVENT_LOOP, true)));
      spec.settings.forEach(services::set);
      services.set("vireo.config.sources", "");
      spec.broker.ifPresent(services::broker);
      service = services.build().start();
      PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      FilterChains chains =
          new FilterChains(meters, GatewayAuthAccess.verifier(config), gateways::get);
      int loopCount =
          config.getInt("vireo.gateway.event-loops", Runtime.getRuntime().availableProcessors());
      if (loopCount <= 0) {
        throw new IllegalArgumentException(
            "vireo.gateway.event-loops: " + loopCount + " (expected: > 0)");
      }
      loops = LoopResources.create("vireo-gateway", loopCount, true);
      upstreams =
          new UpstreamClients(
              loops,
              config.getInt("vireo.gateway.upstream.max-connections", 512),
              config.getDuration(
                  "vireo.gateway.upstream.response-timeout", Duration.ofSeconds(30)));
      instances = new RegistryInstances(registry);
      schemas = SchemaCache.of(service);
      RpcCalls calls = new RpcCalls(service, schemas, this::config);
      catalog = new Catalog(registry, calls, name);
      catalog.start(config.getDuration("vireo.gateway.discovery.refresh", Duration.ofSeconds(5)));
      RpcMappings rpc =
          new RpcMappings(
              calls, catalog, service, config.getBoolean("vireo.gateway.discovery.enabled", false));
      routing =
          new Routing(
              config,
              chains,
              new HttpProxy(upstreams, instances),
              rpc::routeTarget,
              Console.mount(
                  config,
                  registry,
                  calls,
                  chains,
                  upstreams::current,
                  name,
                  watches::add,
                  rpc.mappings()));
      front = new Front(routing, meters, config);
      address = front.bind(config, loops, START_TIMEOUT);
      register(name);
      watchConfig();
      return this;
    } catch (RuntimeException e) {
      log.error("gateway failed to start: {}", e.getMessage());
      release();
      throw e;
    }
  }

  private Config buildConfig() {
    String name =
        Config.builder().setAll(spec.settings).build().get("vireo.service.name", DEFAULT_NAME);
    Config named = Config.builder().setAll(spec.settings).set("vireo.service.name", name).build();
    for (String source : named.get("vireo.config.sources", "").split(",")) {
      if (!source.isBlank()) {
        sources.add(
            Plugins.create(
                ConfigSourceProvider.class, "vireo.config.sources", source.trim(), named));
      }
    }
    return layered(name);
  }

  /** The layers over the dynamic sources; made again on each push, so that new keys are seen. */
  private Config layered(String name) {
    Config.Builder builder = Config.builder().setAll(spec.settings).set("vireo.service.name", name);
    sources.forEach(builder::source);
    return builder.build();
  }

  private void register(String name) {
    String host = config.get("vireo.gateway.host", "0.0.0.0");
    String advertised =
        config.get("vireo.gateway.advertise-host").orElseGet(() -> advertisedHost(host));
    Map<String, String> metadata = new LinkedHashMap<>(config.subset("vireo.server.metadata"));
    metadata.put("scheme", front.tls() ? "https" : "http");
    ServiceInstance instance =
        new ServiceInstance(
            name,
            name + "-" + UUID.randomUUID().toString().substring(0, 8),
            advertised,
            address.getPort(),
            "http",
            config.get("vireo.service.version", ""),
            ServiceInstance.DEFAULT_WEIGHT,
            metadata,
            List.of());
    registry.register(instance).block(START_TIMEOUT);
    registered = Optional.of(instance);
    watches.add(
        registry
            .watch(name)
            .subscribe(
                list ->
                    gateways.set(
                        Math.max(
                            1,
                            (int) list.stream().filter(i -> i.transport().equals("http")).count())),
                e -> log.warn("gateway count: {}", e.toString())));
  }

  private void watchConfig() {
    for (ConfigSource source : sources) {
      watches.add(
          source
              .changes()
              .filter(keys -> keys.stream().anyMatch(key -> key.startsWith("vireo.gateway.")))
              .subscribe(
                  keys -> {
                    config = layered(config.get("vireo.service.name", DEFAULT_NAME));
                    lastReloadError.set(routing.reload(config));
                  },
                  e -> log.warn("config source {}: {}", source.name(), e.toString())));
    }
  }

  private static String advertisedHost(String bindHost) {
    if (!bindHost.equals("0.0.0.0") && !bindHost.equals("::")) {
      return bindHost;
    }
    try {
      return InetAddress.getLocalHost().getHostAddress();
    } catch (UnknownHostException e) {
      return "127.0.0.1";
    }
  }

  /** Starts, then blocks until {@link #stop()} or SIGTERM/SIGINT, which stops gracefully. */
  public void run() {
    start();
    Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "vireo-gateway-stop"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Deregisters, stops accepting, lets requests in flight finish (bounded), closes. Blocks. */
  public synchronized void stop() {
    release();
    stopped.countDown();
  }

  private void release() {
    watches.forEach(Disposable::dispose);
    watches.clear();
    Duration timeout =
        config == null
            ? Duration.ofSeconds(10)
            : config.getDuration("vireo.server.shutdown-timeout", Duration.ofSeconds(10));
    registered.ifPresent(instance -> quietly(() -> registry.deregister(instance).block(timeout)));
    registered = Optional.empty();
    if (front != null) {
      Front closing = front;
      quietly(() -> closing.close(timeout));
    }
    if (catalog != null) {
      catalog.stop();
    }
    if (schemas != null) {
      schemas.close();
    }
    if (instances != null) {
      instances.close();
    }
    if (upstreams != null) {
      quietly(() -> upstreams.dispose().block(timeout));
    }
    if (service != null) {
      Service closing = service;
      quietly(closing::stop);
      service = null;
    }
    if (loops != null) {
      LoopResources closing = loops;
      quietly(() -> closing.disposeLater(Duration.ZERO, timeout).block(timeout));
      loops = null;
    }
    Flux.fromIterable(sources)
        .flatMap(ConfigSource::close)
        .onErrorResume(e -> Mono.empty())
        .then()
        .block(timeout);
    sources.clear();
    if (ownRegistry && registry != null) {
      Registry closing = registry;
      quietly(() -> closing.close().block(timeout));
      registry = null;
    }
  }

  private static void quietly(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      log.warn("gateway stop: {}", e.toString());
    }
  }

  /** The address the gateway listens on (with port 0, the real port). */
  public InetSocketAddress address() {
    if (address == null) {
      throw new IllegalStateException("gateway not started (expected: start() first)");
    }
    return address;
  }

  public int port() {
    return address().getPort();
  }

  /** The gateway's configuration, all layers merged. */
  public Config config() {
    return config;
  }

  /** The Vireo service the gateway calls and publishes through. */
  public Service service() {
    return service;
  }

  /** The instance the gateway registered. */
  public Optional<ServiceInstance> instance() {
    return registered;
  }

  /** The last configuration push that could not be applied (the old routes stayed), if any. */
  public Optional<String> lastReloadError() {
    return lastReloadError.get();
  }

  /** Builds a {@link Gateway}. */
  public static final class Builder {
    private final Map<String, String> settings = new LinkedHashMap<>();
    private Optional<Registry> registry = Optional.empty();
    private Optional<Broker> broker = Optional.empty();

    Builder() {}

    /** A configuration value, above every other layer (any {@code vireo.*} key). */
    public Builder set(String key, String value) {
      settings.put(key, value);
      return this;
    }

    /** {@code vireo.gateway.port}; 0 for any free port. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
      }
      return set("vireo.gateway.port", Integer.toString(port));
    }

    /** {@code vireo.gateway.host}, the address to bind. */
    public Builder host(String host) {
      return set("vireo.gateway.host", host);
    }

    /**
     * Uses this registry instead of the one {@code vireo.registry} names (the caller closes it).
     */
    public Builder registry(Registry registry) {
      this.registry = Optional.of(registry);
      return this;
    }

    /** Uses this broker for events instead of the one {@code vireo.broker} names. */
    public Builder broker(Broker broker) {
      this.broker = Optional.of(broker);
      return this;
    }

    public Gateway build() {
      return new Gateway(this);
    }
  }
}
