package io.vireo.registry.zookeeper;

import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.config.Config;
import io.vireo.config.Values;
import io.vireo.registry.Registry;
import io.vireo.registry.ServiceInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.utils.ZKPaths;
import org.apache.curator.x.discovery.ServiceCache;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.details.ServiceCacheListener;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * A {@link Registry} on ZooKeeper, through Apache Curator's service discovery
 * (curator-x-discovery), so that plain Curator and Spring Cloud Zookeeper clients see Vireo's
 * services and Vireo sees theirs.
 *
 * <p>Each registered instance is an ephemeral znode {@code <base-path>/<service>/<id>} holding the
 * JSON of a Curator {@code ServiceInstance}; Vireo's version, transport, weight, metadata and
 * endpoints are in its payload. An instance disappears when its registry is closed or, when the
 * process dies, once its ZooKeeper session times out. After a session expires, the registry writes
 * its instances again as soon as a new session is up.
 *
 * <p>{@link #instances} and {@link #watch} are served from a Curator cache per service, kept up to
 * date by ZooKeeper watches: a call never reads ZooKeeper. While the connection is lost, they keep
 * serving the last known instances.
 *
 * <pre>{@code
 * Registry registry = ZooKeeperRegistry.builder()
 *     .connect("zk1:2181,zk2:2181,zk3:2181")
 *     .sessionTimeout(Duration.ofSeconds(10))
 *     .build();
 * registry.register(instance).block();
 * registry.watch("greeter").subscribe(instances -> ...);
 * }</pre>
 *
 * <p>With configuration: {@code vireo.registry=zookeeper} and the keys under {@code
 * vireo.registry.zookeeper} ({@link #of(Config)}).
 */
public final class ZooKeeperRegistry implements Registry {
  private static final Logger logger = LoggerFactory.getLogger(ZooKeeperRegistry.class);

  /** The key prefix of this registry's settings. */
  public static final String CONFIG_PREFIX = "vireo.registry.zookeeper";

  /** {@value}: a local ZooKeeper. */
  public static final String DEFAULT_CONNECT = ClientSettings.DEFAULT_CONNECT;

  /** {@value}: the path Curator and Spring Cloud Zookeeper use by default. */
  public static final String DEFAULT_BASE_PATH = "/services";

  /** 15 seconds: how long a dead process's instances may linger. */
  public static final Duration DEFAULT_SESSION_TIMEOUT = ClientSettings.DEFAULT_SESSION_TIMEOUT;

  /** 5 seconds: how long to wait for a connection before failing with UNAVAILABLE. */
  public static final Duration DEFAULT_CONNECTION_TIMEOUT =
      ClientSettings.DEFAULT_CONNECTION_TIMEOUT;

  private final ClientSettings settings;
  private final String basePath;
  private final CuratorFramework client;
  private final boolean ownsClient;
  private final ServiceDiscovery<Object> discovery;
  private final Map<String, ServiceInstance> registered = new ConcurrentHashMap<>();
  private final Map<String, Mono<ServiceWatch>> watches = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object startLock = new Object();
  private volatile boolean started;
  private final Mono<Void> start;
  private final ConnectionStateListener connectionLogger = this::logConnectionState;

  /**
   * Until when (System.nanoTime) an empty instance set is held back: a session timeout from the
   * last reconnection, while the providers register again.
   */
  private volatile long settleUntil = System.nanoTime();

  private ZooKeeperRegistry(
      ClientSettings settings, String basePath, @Nullable CuratorFramework client) {
    this.settings = settings;
    this.basePath = basePath;
    this.ownsClient = client == null;
    this.client = client != null ? client : CuratorClients.newClient(settings);
    this.discovery = new InPlaceDiscovery(this.client, basePath, new InstanceCodec());
    this.start =
        Mono.<Void>fromRunnable(this::startBlocking).subscribeOn(Schedulers.boundedElastic());
  }

  /**
   * A registry with the settings under {@code vireo.registry.zookeeper} (see the module's README).
   */
  public static ZooKeeperRegistry of(Config config) {
    ClientSettings settings = ClientSettings.from(config, CONFIG_PREFIX, ClientSettings.defaults());
    return new ZooKeeperRegistry(
        settings, basePath(config.get(CONFIG_PREFIX + ".base-path", DEFAULT_BASE_PATH)), null);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Mono<Void> register(ServiceInstance instance) {
    return ensureStarted()
        .then(
            Mono.<Void>fromCallable(
                    () -> {
                      org.apache.curator.x.discovery.ServiceInstance<Object> curator =
                          InstanceCodec.toCurator(instance);
                      ServiceInstance previous = registered.put(instance.id(), instance);
                      if (previous == null) {
                        discovery.registerService(curator);
                      } else {
                        // registerService would keep the old instance for re-registration after a
                        // new
                        // session; updateService replaces it (and writes it unless the node is
                        // gone)
                        try {
                          discovery.updateService(curator);
                        } catch (KeeperException.NoNodeException e) {
                          discovery.registerService(curator);
                        }
                      }
                      logger.debug(
                          "Registered {}/{} at {}",
                          instance.service(),
                          instance.id(),
                          instance.address());
                      return null;
                    })
                .subscribeOn(Schedulers.boundedElastic()))
        .onErrorMap(
            error ->
                CuratorClients.toVireo(
                    error,
                    "register " + instance.service() + "/" + instance.id(),
                    settings.connect()));
  }

  @Override
  public Mono<Void> deregister(ServiceInstance instance) {
    return ensureStarted()
        .then(
            Mono.<Void>fromCallable(
                    () -> {
                      registered.remove(instance.id());
                      discovery.unregisterService(InstanceCodec.toCurator(instance));
                      // also when another client registered it
                      client
                          .delete()
                          .quietly()
                          .forPath(ZKPaths.makePath(basePath, instance.service(), instance.id()));
                      logger.debug("Deregistered {}/{}", instance.service(), instance.id());
                      return null;
                    })
                .subscribeOn(Schedulers.boundedElastic()))
        .onErrorMap(
            error ->
                CuratorClients.toVireo(
                    error,
                    "deregister " + instance.service() + "/" + instance.id(),
                    settings.connect()));
  }

  @Override
  public Mono<List<ServiceInstance>> instances(String service) {
    return watchOf(service).map(ServiceWatch::current);
  }

  @Override
  public Flux<List<ServiceInstance>> watch(String service) {
    return watchOf(service).flatMapMany(ServiceWatch::updates).distinctUntilChanged();
  }

  /** Reads ZooKeeper (the children of the base path): not for the call path. */
  @Override
  public Mono<List<String>> services() {
    return ensureStarted()
        .then(
            Mono.fromCallable(
                    () -> {
                      List<String> names;
                      try {
                        names = client.getChildren().forPath(basePath);
                      } catch (KeeperException.NoNodeException e) {
                        return List.<String>of();
                      }
                      List<String> result = new ArrayList<>();
                      for (String name : names) {
                        Stat stat = client.checkExists().forPath(ZKPaths.makePath(basePath, name));
                        if (stat != null && stat.getNumChildren() > 0) {
                          result.add(name);
                        }
                      }
                      result.sort(Comparator.naturalOrder());
                      return List.copyOf(result);
                    })
                .subscribeOn(Schedulers.boundedElastic()))
        .onErrorMap(error -> CuratorClients.toVireo(error, "list services", settings.connect()));
  }

  /**
   * Whether the ZooKeeper session is connected now (Curator's connection state, no round trip); yes
   * before the registry is first used, since it has not tried yet.
   */
  @Override
  public Mono<Boolean> reachable() {
    return Mono.fromSupplier(
        () -> !closed.get() && (!started || client.getZookeeperClient().isConnected()));
  }

  /** Removes this registry's instances from ZooKeeper, stops its caches and closes its client. */
  @Override
  public Mono<Void> close() {
    return Mono.<Void>fromRunnable(
            () -> {
              if (!closed.compareAndSet(false, true)) {
                return;
              }
              watches.values().forEach(watch -> watch.subscribe(ServiceWatch::close, error -> {}));
              watches.clear();
              synchronized (startLock) {
                try {
                  if (started) {
                    discovery.close(); // deletes the instances registered here
                  }
                } catch (Exception e) {
                  logger.warn(
                      "Could not remove this registry's instances from ZooKeeper at {}; they vanish when the session ends: {}",
                      settings.connect(),
                      e.toString());
                }
                client.getConnectionStateListenable().removeListener(connectionLogger);
                if (ownsClient) {
                  client.close();
                }
              }
              registered.clear();
            })
        .subscribeOn(Schedulers.boundedElastic());
  }

  @Override
  public String toString() {
    return "ZooKeeperRegistry[" + settings.connect() + basePath + "]";
  }

  /** The Curator client, for tests in this package. */
  CuratorFramework curator() {
    return client;
  }

  private Mono<Void> ensureStarted() {
    if (closed.get()) {
      return Mono.error(VireoException.of(Status.UNAVAILABLE, "%s is closed", this));
    }
    return started ? Mono.empty() : start;
  }

  private void startBlocking() {
    synchronized (startLock) {
      if (started) {
        return;
      }
      if (closed.get()) {
        throw VireoException.of(Status.UNAVAILABLE, "%s is closed", this);
      }
      try {
        CuratorClients.connect(client, settings, CONFIG_PREFIX, "ZooKeeper registry", closed::get);
        client.getConnectionStateListenable().addListener(connectionLogger);
        discovery.start();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw VireoException.of(
            Status.CANCELLED,
            "interrupted while connecting to ZooKeeper at %s",
            settings.connect());
      } catch (VireoException e) {
        throw e;
      } catch (Exception e) {
        throw CuratorClients.toVireo(e, "start", settings.connect());
      }
      started = true;
      logger.info(
          "ZooKeeper registry connected to {} (base path {})", settings.connect(), basePath);
    }
  }

  private Mono<ServiceWatch> watchOf(String service) {
    if (service.isEmpty() || service.indexOf('/') >= 0) {
      return Mono.error(
          VireoException.of(
              Status.INVALID_ARGUMENT, "service: '%s' (expected: a name without '/')", service));
    }
    if (closed.get()) {
      return Mono.error(VireoException.of(Status.UNAVAILABLE, "%s is closed", this));
    }
    // once opened, a cached Mono that answers at once: no thread hop, no ZooKeeper read
    return watches.computeIfAbsent(service, this::openWatch);
  }

  private Mono<ServiceWatch> openWatch(String service) {
    AtomicReference<Mono<ServiceWatch>> self = new AtomicReference<>();
    Mono<ServiceWatch> opening =
        ensureStarted()
            .then(
                Mono.fromCallable(() -> ServiceWatch.open(this, service))
                    .subscribeOn(Schedulers.boundedElastic()))
            // a failed opening is not remembered: the next call tries again
            .doOnError(error -> watches.remove(service, self.get()))
            .onErrorMap(
                error -> CuratorClients.toVireo(error, "watch " + service, settings.connect()))
            .cache();
    self.set(opening);
    return opening;
  }

  /** How long an empty instance set is still held back, in nanoseconds (not positive: no more). */
  long settleLeftNanos() {
    return settleUntil - System.nanoTime();
  }

  /** Whether an empty instance set would be held back now (for tests). */
  boolean settling() {
    return settleLeftNanos() > 0;
  }

  private void logConnectionState(CuratorFramework unused, ConnectionState state) {
    switch (state) {
      case SUSPENDED ->
          logger.warn(
              "Lost the connection to ZooKeeper at {}; serving the last known instances of {} until it returns",
              settings.connect(),
              watches.keySet());
      case LOST ->
          logger.warn(
              "ZooKeeper session lost ({}): this process's {} instance(s) are gone from the registry until the connection returns; they will be registered again then",
              settings.connect(),
              registered.size());
      case RECONNECTED -> {
        settleUntil = System.nanoTime() + settings.sessionTimeout().toNanos();
        logger.info(
            "Reconnected to ZooKeeper at {}; registering {} instance(s) again",
            settings.connect(),
            registered.size());
      }
      default -> logger.debug("ZooKeeper connection {}: {}", settings.connect(), state);
    }
  }

  /** One service's cache and the set it last published. */
  private static final class ServiceWatch implements ServiceCacheListener {
    private final ZooKeeperRegistry registry;
    private final String service;
    private final ServiceCache<Object> cache;
    private final Sinks.Many<List<ServiceInstance>> sink = Sinks.many().replay().latest();
    private volatile List<ServiceInstance> current = List.of();
    private boolean recheck; // guarded by this

    private ServiceWatch(ZooKeeperRegistry registry, String service, ServiceCache<Object> cache) {
      this.registry = registry;
      this.service = service;
      this.cache = cache;
    }

    static ServiceWatch open(ZooKeeperRegistry registry, String service) throws Exception {
      ServiceCache<Object> cache = registry.discovery.serviceCacheBuilder().name(service).build();
      ServiceWatch watch = new ServiceWatch(registry, service, cache);
      cache.addListener(watch);
      boolean loaded =
          cache
              .startImmediate()
              .await(registry.settings.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS);
      if (!loaded) {
        cache.close();
        throw VireoException.of(
            Status.UNAVAILABLE,
            "no answer from ZooKeeper at %s within %s while loading the instances of %s",
            registry.settings.connect(),
            Values.format(registry.settings.connectionTimeout()),
            service);
      }
      watch.publish();
      return watch;
    }

    List<ServiceInstance> current() {
      return current;
    }

    Flux<List<ServiceInstance>> updates() {
      return sink.asFlux();
    }

    @Override
    public void cacheChanged() {
      publish();
    }

    @Override
    public void stateChanged(CuratorFramework client, ConnectionState newState) {
      // the registry logs connection changes once; the cache keeps its instances meanwhile
    }

    private void publish() {
      // under a lock, so that the last set published is always the newest one
      synchronized (this) {
        List<ServiceInstance> instances = new ArrayList<>();
        for (org.apache.curator.x.discovery.ServiceInstance<Object> instance :
            cache.getInstances()) {
          InstanceCodec.toVireo(instance).ifPresent(instances::add);
        }
        instances.sort(Comparator.comparing(ServiceInstance::id));
        long hold = registry.settleLeftNanos();
        if (instances.isEmpty() && !current.isEmpty() && hold > 0) {
          // Right after a reconnection the providers register again, and Curator deletes a
          // znode left by an expired session before it writes the new one: an empty set then is
          // most likely that moment, not the service gone. The last set stays until the
          // providers are back or the session timeout has passed, when the set is read again.
          if (!recheck) {
            recheck = true;
            logger.info(
                "{}: no instance right after reconnecting to ZooKeeper; serving the last {} for up to {} while they register again",
                service,
                current.size(),
                Values.format(Duration.ofMillis(TimeUnit.NANOSECONDS.toMillis(hold))));
            Schedulers.parallel().schedule(this::recheck, hold, TimeUnit.NANOSECONDS);
          }
          return;
        }
        current = List.copyOf(instances);
        sink.tryEmitNext(current);
      }
    }

    private void recheck() {
      synchronized (this) {
        recheck = false;
        publish();
      }
    }

    void close() {
      try {
        cache.close();
      } catch (Exception e) {
        logger.debug("Closing the cache of {}: {}", service, e.toString());
      }
      sink.tryEmitComplete();
    }
  }

  private static String basePath(String path) {
    if (!path.startsWith("/") || (path.length() > 1 && path.endsWith("/"))) {
      throw new IllegalArgumentException(
          "basePath: '" + path + "' (expected: an absolute znode path such as /services)");
    }
    return path;
  }

  /** Builds a {@link ZooKeeperRegistry}; every setting has a {@code DEFAULT_*}. */
  public static final class Builder {
    private ClientSettings settings = ClientSettings.defaults();
    private String basePath = DEFAULT_BASE_PATH;
    private @Nullable CuratorFramework client;

    Builder() {}

    /** The connect string, {@code host:port[,host:port...]} (default {@value #DEFAULT_CONNECT}). */
    public Builder connect(String connect) {
      settings = settings.withConnect(connect);
      return this;
    }

    /** Where instances live (default {@value #DEFAULT_BASE_PATH}). */
    public Builder basePath(String basePath) {
      this.basePath = ZooKeeperRegistry.basePath(basePath);
      return this;
    }

    public Builder sessionTimeout(Duration sessionTimeout) {
      settings = settings.withSessionTimeout(sessionTimeout);
      return this;
    }

    public Builder connectionTimeout(Duration connectionTimeout) {
      settings = settings.withConnectionTimeout(connectionTimeout);
      return this;
    }

    /**
     * Whether to keep trying when ZooKeeper cannot be reached at start, instead of failing
     * (default: no).
     */
    public Builder retry(boolean retry) {
      settings = settings.withRetry(retry);
      return this;
    }

    /**
     * Digest authentication, {@code user:password}; znodes get ALL for that user and READ for
     * everyone.
     */
    public Builder authDigest(String userPassword) {
      settings = settings.withAuthDigest(userPassword);
      return this;
    }

    /**
     * Uses this Curator client instead of making one: connect, timeouts and auth are then the
     * client's, and closing the registry leaves it open.
     */
    public Builder client(CuratorFramework client) {
      this.client = client;
      return this;
    }

    public ZooKeeperRegistry build() {
      return new ZooKeeperRegistry(settings, basePath, client);
    }
  }
}
