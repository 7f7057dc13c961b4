package io.vireo.registry.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.config.Config;
import io.vireo.registry.Registry;
import io.vireo.registry.ServiceInstance;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * A {@link Registry} on etcd (v3 API, through jetcd).
 *
 * <p>Each registered instance is a key {@code <prefix>/<service>/<id>} holding the same JSON as the
 * ZooKeeper registry's znodes (a curator-x-discovery {@code ServiceInstance}). The keys of one
 * registry are bound to one lease, which the registry keeps alive: when the process dies, its
 * instances vanish once the lease's TTL passes; closing the registry revokes the lease and removes
 * them at once. Should the lease expire anyway (etcd unreachable for longer than the TTL), the
 * registry grants a new one and writes its instances again as soon as etcd answers.
 *
 * <p>{@link #instances} and {@link #watch} are served from a cache per service: the service's keys
 * read once, then an etcd watch from the next revision, resumed by revision after a disconnect so
 * that no change is missed or applied twice. A call never reads etcd; while etcd cannot be reached,
 * the last known instances are served.
 *
 * <pre>{@code
 * Registry registry = EtcdRegistry.builder()
 *     .endpoints("http://etcd1:2379,http://etcd2:2379,http://etcd3:2379")
 *     .leaseTtl(Duration.ofSeconds(10))
 *     .build();
 * registry.register(instance).block();
 * registry.watch("greeter").subscribe(instances -> ...);
 * }</pre>
 *
 * <p>With configuration: {@code vireo.registry=etcd} and the keys under {@code vireo.registry.etcd}
 * ({@link #of(Config)}).
 */
public final class EtcdRegistry implements Registry {
  private static final Logger logger = LoggerFactory.getLogger(EtcdRegistry.class);
  private static final AtomicInteger counter = new AtomicInteger();

  /** The key prefix of this registry's settings. */
  public static final String CONFIG_PREFIX = "vireo.registry.etcd";

  /** {@value}: a local etcd. */
  public static final String DEFAULT_ENDPOINTS = ClientSettings.DEFAULT_ENDPOINTS;

  /** {@value}: the parent of the service keys, as the ZooKeeper registry's base path. */
  public static final String DEFAULT_PREFIX = "/services";

  /** 15 seconds: how long a dead process's instances may linger. */
  public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(15);

  /** 5 seconds: how long to wait for etcd on each call before failing with UNAVAILABLE. */
  public static final Duration DEFAULT_CONNECTION_TIMEOUT =
      ClientSettings.DEFAULT_CONNECTION_TIMEOUT;

  private final ClientSettings settings;
  private final String prefix;
  private final long leaseTtlSeconds;
  private final Client client;
  private final boolean ownsClient;
  private final ScheduledExecutorService leaseThread;
  private final ScheduledExecutorService watchThread;
  private final Object lock = new Object();
  private final Map<String, ServiceInstance> registered = new ConcurrentHashMap<>();
  private final Map<String, Mono<ServiceWatch>> watches = new ConcurrentHashMap<>();
  private final Set<String> pendingDeletes = ConcurrentHashMap.newKeySet();
  private volatile boolean pendingWrites;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean started;
  private volatile boolean reachable = true;
  private volatile long leaseId;
  private volatile PrefixCache.EventHook appliedHook = (type, key, revision) -> {};

  private EtcdRegistry(
      ClientSettings settings, String prefix, Duration leaseTtl, @Nullable Client client) {
    this.settings = settings;
    this.prefix = prefix;
    this.leaseTtlSeconds = Math.max(1, (leaseTtl.toMillis() + 999) / 1000);
    this.ownsClient = client == null;
    this.client = client != null ? client : EtcdClients.newClient(settings);
    int n = counter.incrementAndGet();
    this.leaseThread = Executors.newSingleThreadScheduledExecutor(daemon("vireo-etcd-lease-" + n));
    this.watchThread = Executors.newSingleThreadScheduledExecutor(daemon("vireo-etcd-watch-" + n));
  }

  /** A registry with the settings under {@code vireo.registry.etcd} (see the module's README). */
  public static EtcdRegistry of(Config config) {
    ClientSettings settings = ClientSettings.from(config, CONFIG_PREFIX, ClientSettings.defaults());
    return new EtcdRegistry(
        settings,
        prefix(config.get(CONFIG_PREFIX + ".prefix", DEFAULT_PREFIX)),
        leaseTtl(config.getDuration(CONFIG_PREFIX + ".lease-ttl", DEFAULT_LEASE_TTL)),
        null);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Mono<Void> register(ServiceInstance instance) {
    String what = "register " + instance.service() + "/" + instance.id();
    if (instance.service().indexOf('/') >= 0 || instance.id().indexOf('/') >= 0) {
      return Mono.error(
          VireoException.of(
              Status.INVALID_ARGUMENT,
              "%s: service and id must not contain '/' (they are segments of the etcd key)",
              what));
    }
    return blocking(
        what,
        () -> {
          String key = key(instance.service(), instance.id());
          registered.put(key, instance);
          pendingDeletes.remove(key);
          try {
            put(key, instance, ensureLease());
          } catch (RuntimeException e) {
            if (unavailable(e)) {
              // remembered: the keep-alive writes it when etcd answers again
              pendingWrites = true;
              throw e;
            }
            if (!leaseGone(e)) {
              registered.remove(key);
              throw e;
            }
            logger.warn(
                "etcd lease {} is gone ({}); granting a new one and writing {} instance(s) again",
                Long.toHexString(leaseId),
                settings.endpointText(),
                registered.size());
            leaseId = 0;
            writeAll();
          }
          logger.debug(
              "Registered {}/{} at {}", instance.service(), instance.id(), instance.address());
          return null;
        });
  }

  @Override
  public Mono<Void> deregister(ServiceInstance instance) {
    return blocking(
        "deregister " + instance.service() + "/" + instance.id(),
        () -> {
          String key = key(instance.service(), instance.id());
          registered.remove(key);
          try {
            // also when another client registered it
            await(client.getKVClient().delete(PrefixCache.bytes(key)));
          } catch (RuntimeException e) {
            if (unavailable(e)) {
              // remembered: the keep-alive deletes it when etcd answers again
              pendingDeletes.add(key);
            }
            throw e;
          }
          logger.debug("Deregistered {}/{}", instance.service(), instance.id());
          return null;
        });
  }

  @Override
  public Mono<List<ServiceInstance>> instances(String service) {
    return watchOf(service).map(ServiceWatch::current);
  }

  @Override
  public Flux<List<ServiceInstance>> watch(String service) {
    return watchOf(service).flatMapMany(ServiceWatch::updates).distinctUntilChanged();
  }

  /** Reads etcd (the keys under the prefix, without values): not for the call path. */
  @Override
  public Mono<List<String>> services() {
    return blocking(
        "list services",
        () -> {
          String root = prefix + "/";
          List<KeyValue> keys =
              await(
                      client
                          .getKVClient()
                          .get(
                              PrefixCache.bytes(root),
                              GetOption.builder().isPrefix(true).withKeysOnly(true).build()))
                  .getKvs();
          TreeSet<String> names = new TreeSet<>();
          for (KeyValue kv : keys) {
            String rest = PrefixCache.text(kv.getKey()).substring(root.length());
            int slash = rest.indexOf('/');
            if (slash > 0 && slash < rest.length() - 1) {
              names.add(rest.substring(0, slash));
            }
          }
          return List.copyOf(names);
        });
  }

  /**
   * Whether etcd answered the last keep-alive (sent every third of the lease TTL, at most every 5
   * seconds; no round trip here); yes before the registry is first used.
   */
  @Override
  public Mono<Boolean> reachable() {
    return Mono.fromSupplier(() -> !closed.get() && (!started || reachable));
  }

  /**
   * Revokes this registry's lease (removing its instances), stops its watches and closes its
   * client.
   */
  @Override
  public Mono<Void> close() {
    return Mono.<Void>fromRunnable(
            () -> {
              if (!closed.compareAndSet(false, true)) {
                return;
              }
              watches.values().forEach(watch -> watch.subscribe(ServiceWatch::close, error -> {}));
              watches.clear();
              synchronized (lock) {
                long lease = leaseId;
                if (started && lease != 0) {
                  try {
                    await(client.getLeaseClient().revoke(lease));
                  } catch (RuntimeException e) {
                    logger.warn(
                        "Could not revoke lease {} on etcd at {}; this registry's {} instance(s) vanish when it expires, within {} s: {}",
                        Long.toHexString(lease),
                        settings.endpointText(),
                        registered.size(),
                        leaseTtlSeconds,
                        e.toString());
                  }
                }
                leaseId = 0;
                leaseThread.shutdownNow();
                watchThread.shutdown();
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
    return "EtcdRegistry[" + settings.endpointText() + prefix + "]";
  }

  /** The lease that holds this registry's keys (0: none yet), for tests in this package. */
  long leaseId() {
    return leaseId;
  }

  /** Sees each watch event applied by this registry's caches, for tests in this package. */
  void onApplied(PrefixCache.EventHook hook) {
    this.appliedHook = hook;
  }

  /** Runs {@code call} on boundedElastic under the lock, after the first contact with etcd. */
  private <T> Mono<T> blocking(String what, Callable<@Nullable T> call) {
    return Mono.<T>fromCallable(
            () -> {
              synchronized (lock) {
                ensureOpen();
                ensureStarted();
                return call.call();
              }
            })
        .subscribeOn(Schedulers.boundedElastic())
        .onErrorMap(error -> EtcdClients.toVireo(error, what, settings, CONFIG_PREFIX));
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw VireoException.of(Status.UNAVAILABLE, "%s is closed", this);
    }
  }

  /** The first round trip; then the keep-alive loop starts. Under the lock. */
  private void ensureStarted() {
    if (started) {
      return;
    }
    try {
      await(
          client
              .getKVClient()
              .get(
                  PrefixCache.bytes(prefix + "/"),
                  GetOption.builder().isPrefix(true).withCountOnly(true).build()));
    } catch (RuntimeException e) {
      throw EtcdClients.toVireo(e, "etcd registry", settings, CONFIG_PREFIX);
    }
    started = true;
    long interval = Math.max(500, Math.min(leaseTtlSeconds * 1000 / 3, 5000));
    leaseThread.scheduleWithFixedDelay(this::keepAlive, interval, interval, TimeUnit.MILLISECONDS);
    logger.info(
        "etcd registry connected to {} (prefix {}, lease TTL {} s)",
        settings.endpointText(),
        prefix,
        leaseTtlSeconds);
  }

  /** The lease for new keys, granted on first use. Under the lock. */
  private long ensureLease() {
    if (leaseId == 0) {
      leaseId = await(client.getLeaseClient().grant(leaseTtlSeconds)).getID();
      logger.debug("Granted etcd lease {} (TTL {} s)", Long.toHexString(leaseId), leaseTtlSeconds);
    }
    return leaseId;
  }

  private void put(String key, ServiceInstance instance, long lease) {
    await(
        client
            .getKVClient()
            .put(
                PrefixCache.bytes(key),
                ByteSequence.from(InstanceJson.write(instance, System.currentTimeMillis())),
                PutOption.builder().withLeaseId(lease).build()));
  }

  /** Writes every registered instance under a (new) lease. Under the lock. */
  private void writeAll() {
    long lease = ensureLease();
    for (Map.Entry<String, ServiceInstance> entry : registered.entrySet()) {
      put(entry.getKey(), entry.getValue(), lease);
    }
  }

  /** Runs on the lease thread: renews the lease (or, without one, checks that etcd answers). */
  private void keepAlive() {
    synchronized (lock) {
      if (closed.get()) {
        return;
      }
      try {
        long lease = leaseId;
        if (lease != 0) {
          try {
            await(client.getLeaseClient().keepAliveOnce(lease));
          } catch (RuntimeException e) {
            if (!leaseGone(e)) {
              throw e;
            }
            logger.warn(
                "etcd lease {} expired ({}): this process's {} instance(s) were gone from the registry; writing them again",
                Long.toHexString(lease),
                settings.endpointText(),
                registered.size());
            leaseId = 0;
            if (!registered.isEmpty()) {
              writeAll();
            }
          }
        } else {
          await(
              client
                  .getKVClient()
                  .get(
                      PrefixCache.bytes(prefix + "/"),
                      GetOption.builder().isPrefix(true).withCountOnly(true).build()));
        }
        if (!reachable) {
          reachable = true;
          logger.info("etcd at {} answers again", settings.endpointText());
        }
        for (String key : List.copyOf(pendingDeletes)) {
          await(client.getKVClient().delete(PrefixCache.bytes(key)));
          pendingDeletes.remove(key);
          logger.info("Deleted {} from etcd, as deregistered while etcd was unreachable", key);
        }
        if (pendingWrites) {
          writeAll();
          pendingWrites = false;
          logger.info(
              "Wrote {} instance(s) to etcd, registered while etcd was unreachable",
              registered.size());
        }
      } catch (RuntimeException e) {
        if (reachable) {
          reachable = false;
          logger.warn(
              "etcd at {} does not answer ({}); serving the last known instances of {}; instances stay registered while the lease ({} s) lasts",
              settings.endpointText(),
              EtcdClients.unwrap(e).toString(),
              watches.keySet(),
              leaseTtlSeconds);
        }
      }
    }
  }

  private boolean unavailable(Throwable error) {
    return EtcdClients.toVireo(error, "", settings, CONFIG_PREFIX).status() == Status.UNAVAILABLE;
  }

  private static boolean leaseGone(Throwable error) {
    Throwable cause = EtcdClients.unwrap(error);
    return cause instanceof EtcdException etcd
        && (etcd.getErrorCode() == ErrorCode.NOT_FOUND
            || String.valueOf(etcd.getMessage()).contains("lease not found"));
  }

  /** Waits for a jetcd call, at most the connection timeout. */
  private <T> T await(CompletableFuture<T> call) {
    try {
      return call.get(settings.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      call.cancel(true);
      throw VireoException.of(
          Status.CANCELLED, "interrupted while waiting for etcd at %s", settings.endpointText());
    } catch (TimeoutException e) {
      call.cancel(true);
      throw EtcdClients.unreachable(settings, CONFIG_PREFIX, "etcd registry");
    } catch (ExecutionException e) {
      Throwable cause = EtcdClients.unwrap(e);
      throw cause instanceof RuntimeException runtime ? runtime : new IllegalStateException(cause);
    }
  }

  private String key(String service, String id) {
    return prefix + "/" + service + "/" + id;
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
    // once opened, a cached Mono that answers at once: no thread hop, no etcd read
    return watches.computeIfAbsent(service, this::openWatch);
  }

  private Mono<ServiceWatch> openWatch(String service) {
    AtomicReference<Mono<ServiceWatch>> self = new AtomicReference<>();
    Mono<ServiceWatch> opening =
        blocking("watch " + service, () -> ServiceWatch.open(this, service))
            // a failed opening is not remembered: the next call tries again
            .doOnError(error -> watches.remove(service, self.get()))
            .cache();
    self.set(opening);
    return opening;
  }

  /** One service's cache and the set it last published. */
  private static final class ServiceWatch implements PrefixCache.Listener {
    private final EtcdRegistry registry;
    private final Sinks.Many<List<ServiceInstance>> sink = Sinks.many().replay().latest();
    private volatile List<ServiceInstance> current = List.of();
    private @Nullable PrefixCache cache;

    private ServiceWatch(EtcdRegistry registry) {
      this.registry = registry;
    }

    static ServiceWatch open(EtcdRegistry registry, String service) {
      ServiceWatch watch = new ServiceWatch(registry);
      PrefixCache cache =
          new PrefixCache(
              registry.client,
              registry.prefix + "/" + service + "/",
              registry.watchThread,
              registry.settings.connectionTimeout(),
              registry.settings.endpointText(),
              watch);
      watch.cache = cache;
      try {
        registry.await(cache.start());
      } catch (RuntimeException e) {
        cache.close();
        throw e;
      }
      return watch;
    }

    List<ServiceInstance> current() {
      return current;
    }

    Flux<List<ServiceInstance>> updates() {
      return sink.asFlux();
    }

    @Override
    public void changed(Map<String, KeyValue> keys) {
      List<ServiceInstance> instances = new ArrayList<>();
      keys.forEach(
          (key, kv) -> InstanceJson.read(key, kv.getValue().getBytes()).ifPresent(instances::add));
      instances.sort(Comparator.comparing(ServiceInstance::id));
      current = List.copyOf(instances);
      sink.tryEmitNext(current);
    }

    @Override
    public void applied(WatchEvent.EventType type, String key, long modRevision) {
      registry.appliedHook.applied(type, key, modRevision);
    }

    void close() {
      if (cache != null) {
        cache.close();
      }
      sink.tryEmitComplete();
    }
  }

  private static ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  private static String prefix(String prefix) {
    if (!prefix.startsWith("/") || prefix.length() < 2 || prefix.endsWith("/")) {
      throw new IllegalArgumentException(
          "prefix: '"
              + prefix
              + "' (expected: a key path such as /services, without a trailing '/')");
    }
    return prefix;
  }

  private static Duration leaseTtl(Duration ttl) {
    if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException(
          "leaseTtl: " + ttl + " (expected: >= 1s; etcd counts leases in whole seconds)");
    }
    return ttl;
  }

  /** Builds an {@link EtcdRegistry}; every setting has a {@code DEFAULT_*}. */
  public static final class Builder {
    private ClientSettings settings = ClientSettings.defaults();
    private String prefix = DEFAULT_PREFIX;
    private Duration leaseTtl = DEFAULT_LEASE_TTL;
    private @Nullable Client client;

    Builder() {}

    /** etcd's client URLs, comma-separated (default {@value #DEFAULT_ENDPOINTS}). */
    public Builder endpoints(String endpoints) {
      settings = settings.withEndpoints(ClientSettings.parseEndpoints(endpoints));
      return this;
    }

    public Builder endpoints(List<URI> endpoints) {
      settings = settings.withEndpoints(endpoints);
      return this;
    }

    /** The parent of the service keys (default {@value #DEFAULT_PREFIX}). */
    public Builder prefix(String prefix) {
      this.prefix = EtcdRegistry.prefix(prefix);
      return this;
    }

    /**
     * The TTL of the lease that holds this registry's instances, in whole seconds (default 15 s).
     */
    public Builder leaseTtl(Duration leaseTtl) {
      this.leaseTtl = EtcdRegistry.leaseTtl(leaseTtl);
      return this;
    }

    /** How long each call waits for etcd before failing with UNAVAILABLE (default 5 s). */
    public Builder connectionTimeout(Duration connectionTimeout) {
      settings = settings.withConnectionTimeout(connectionTimeout);
      return this;
    }

    /** etcd's user authentication. */
    public Builder auth(String user, String password) {
      settings = settings.withAuth(user, password);
      return this;
    }

    /** The CA certificates (PEM) that https endpoints are checked against, instead of the JDK's. */
    public Builder trustCertificates(Path caFile) {
      settings = settings.withTrust(caFile);
      return this;
    }

    /** A client certificate and its PKCS#8 key (PEM), for etcd's {@code --client-cert-auth}. */
    public Builder clientCertificate(Path certFile, Path keyFile) {
      settings = settings.withClientCertificate(certFile, keyFile);
      return this;
    }

    /**
     * Uses this jetcd client instead of making one: endpoints, auth and TLS are then the client's,
     * and closing the registry leaves it open.
     */
    public Builder client(Client client) {
      this.client = client;
      return this;
    }

    public EtcdRegistry build() {
      return new EtcdRegistry(settings, prefix, leaseTtl, client);
    }
  }
}
