package io.vireo.registry.zookeeper;

import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.config.Config;
import io.vireo.config.ConfigDocuments;
import io.vireo.config.ConfigSource;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.utils.ZKPaths;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * Configuration from ZooKeeper: the text of {@code /vireo/config/shared} and of {@code
 * /vireo/config/<service>} (the service's overriding the shared one), as Java properties or YAML.
 * Both znodes are held in Curator caches, so {@link #properties()} never blocks, and a change
 * pushes the names of the keys it changed to {@link #changes()}: a running service sees a new value
 * through {@link Config#watch} without a restart.
 *
 * <pre>{@code
 * ConfigSource zk = ZooKeeperConfigSource.builder()
 *     .connect("127.0.0.1:2181")
 *     .service("orders")
 *     .build();                       // connects and reads the first values
 * Config config = Config.builder().source(zk).build();
 * config.watch("orders.max-batch").subscribe(value -> ...);
 * }</pre>
 *
 * <p>With configuration: {@code vireo.config.sources=zookeeper}; the keys under {@code
 * vireo.config.zookeeper} default to those under {@code vireo.registry.zookeeper}.
 */
public final class ZooKeeperConfigSource implements ConfigSource {
  private static final Logger logger = LoggerFactory.getLogger(ZooKeeperConfigSource.class);

  /** The key prefix of this source's settings. */
  public static final String CONFIG_PREFIX = "vireo.config.zookeeper";

  /** {@value}: where configuration znodes live. */
  public static final String DEFAULT_ROOT = "/vireo/config";

  /** {@value}: the znode every service reads, below its own. */
  public static final String SHARED = "shared";

  /** The key that names the service whose znode to read. */
  public static final String SERVICE_NAME_KEY = "vireo.service.name";

  private final ClientSettings settings;
  private final CuratorFramework client;
  private final boolean ownsClient;
  private final String sharedPath;
  private final Optional<String> servicePath;
  private final CuratorCache sharedCache;
  private final @Nullable CuratorCache serviceCache;
  private final Sinks.Many<Set<String>> changes = Sinks.many().multicast().directBestEffort();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Map<String, Map<String, String>> parsed = new HashMap<>();
  private volatile Map<String, String> properties = Map.of();

  private ZooKeeperConfigSource(
      ClientSettings settings,
      String root,
      Optional<String> service,
      @Nullable CuratorFramework client) {
    this.settings = settings;
    this.ownsClient = client == null;
    this.client = client != null ? client : CuratorClients.newClient(settings);
    this.sharedPath = ZKPaths.makePath(root, SHARED);
    this.servicePath = service.map(name -> ZKPaths.makePath(root, name));
    this.sharedCache =
        CuratorCache.build(this.client, sharedPath, CuratorCache.Options.SINGLE_NODE_CACHE);
    this.serviceCache =
        servicePath
            .map(
                path ->
                    CuratorCache.build(this.client, path, CuratorCache.Options.SINGLE_NODE_CACHE))
            .orElse(null);
  }

  /**
   * A started source with the settings under {@code vireo.config.zookeeper} (falling back to {@code
   * vireo.registry.zookeeper}) for the service named by {@code vireo.service.name}. Blocks until
   * the first values are read (at most the connection timeout).
   */
  public static ZooKeeperConfigSource of(Config config) {
    ClientSettings registry =
        ClientSettings.from(config, ZooKeeperRegistry.CONFIG_PREFIX, ClientSettings.defaults());
    Builder builder =
        new Builder(ClientSettings.from(config, CONFIG_PREFIX, registry))
            .root(config.get(CONFIG_PREFIX + ".root", DEFAULT_ROOT));
    config.get(SERVICE_NAME_KEY).filter(name -> !name.isBlank()).ifPresent(builder::service);
    return builder.build();
  }

  public static Builder builder() {
    return new Builder(ClientSettings.defaults());
  }

  @Override
  public String name() {
    return "zookeeper:"
        + settings.connect()
        + sharedPath.substring(0, sharedPath.length() - SHARED.length())
        + "{"
        + SHARED
        + servicePath.map(path -> "," + ZKPaths.getNodeFromPath(path)).orElse("")
        + "}";
  }

  @Override
  public Map<String, String> properties() {
    return properties;
  }

  @Override
  public Flux<Set<String>> changes() {
    return changes.asFlux();
  }

  @Override
  public Mono<Void> close() {
    return Mono.<Void>fromRunnable(
            () -> {
              if (!closed.compareAndSet(false, true)) {
                return;
              }
              sharedCache.close();
              if (serviceCache != null) {
                serviceCache.close();
              }
              if (ownsClient) {
                client.close();
              }
              changes.tryEmitComplete();
            })
        .subscribeOn(Schedulers.boundedElastic());
  }

  @Override
  public String toString() {
    return name();
  }

  private void start() {
    try {
      CuratorClients.connect(
          client, settings, CONFIG_PREFIX, "ZooKeeper config source", closed::get);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw VireoException.of(
          Status.CANCELLED, "interrupted while connecting to ZooKeeper at %s", settings.connect());
    } catch (VireoException e) {
      if (!settings.retry()) {
        closeQuietly();
        throw e;
      }
    }
    CountDownLatch loaded = new CountDownLatch(serviceCache == null ? 1 : 2);
    listen(sharedCache, loaded);
    if (serviceCache != null) {
      listen(serviceCache, loaded);
    }
    try {
      if (!loaded.await(settings.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        if (!settings.retry()) {
          closeQuietly();
          throw CuratorClients.unreachable(settings, CONFIG_PREFIX, "ZooKeeper config source");
        }
        logger.warn(
            "ZooKeeper config source: no answer yet from {}; starting without its values, they arrive when it answers",
            settings.connect());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeQuietly();
      throw VireoException.of(
          Status.CANCELLED,
          "interrupted while reading configuration from ZooKeeper at %s",
          settings.connect());
    }
    logger.info("ZooKeeper config source {}: {} key(s)", name(), properties.size());
  }

  private void listen(CuratorCache cache, CountDownLatch loaded) {
    cache
        .listenable()
        .addListener(
            CuratorCacheListener.builder()
                .forAll((type, oldData, data) -> refresh())
                .forInitialized(
                    () -> {
                      refresh();
                      loaded.countDown();
                    })
                .build());
    cache.start();
  }

  private synchronized void refresh() {
    if (closed.get()) {
      return;
    }
    read(sharedCache, sharedPath);
    if (serviceCache != null) {
      read(serviceCache, servicePath.orElseThrow());
    }
    Map<String, String> merged = new HashMap<>(parsed.getOrDefault(sharedPath, Map.of()));
    servicePath.ifPresent(path -> merged.putAll(parsed.getOrDefault(path, Map.of())));
    Map<String, String> previous = properties;
    Set<String> changed = new HashSet<>();
    for (String key : merged.keySet()) {
      if (!Objects.equals(previous.get(key), merged.get(key))) {
        changed.add(key);
      }
    }
    for (String key : previous.keySet()) {
      if (!merged.containsKey(key)) {
        changed.add(key);
      }
    }
    if (changed.isEmpty()) {
      return;
    }
    properties = Map.copyOf(merged);
    logger.info("Configuration from ZooKeeper changed: {}", new TreeSet<>(changed));
    changes.tryEmitNext(Set.copyOf(changed));
  }

  private void read(CuratorCache cache, String path) {
    Optional<ChildData> data = cache.get(path);
    byte[] bytes = data.map(ChildData::getData).orElse(null);
    if (bytes == null) {
      parsed.remove(path);
      return;
    }
    try {
      parsed.put(path, ConfigDocuments.parse(path, bytes));
    } catch (IllegalArgumentException e) {
      // keep serving what the znode held last
      logger.warn(
          "Ignoring unreadable configuration in {} on ZooKeeper at {}: {}",
          path,
          settings.connect(),
          e.getMessage());
    }
  }

  private void closeQuietly() {
    closed.set(true);
    sharedCache.close();
    if (serviceCache != null) {
      serviceCache.close();
    }
    if (ownsClient) {
      client.close();
    }
  }

  /** Builds and starts a {@link ZooKeeperConfigSource}. */
  public static final class Builder {
    private ClientSettings settings;
    private String root = DEFAULT_ROOT;
    private Optional<String> service = Optional.empty();
    private @Nullable CuratorFramework client;

    Builder(ClientSettings settings) {
      this.settings = settings;
    }

    public Builder connect(String connect) {
      settings = settings.withConnect(connect);
      return this;
    }

    /** The parent of {@code shared} and the services' znodes (default {@value #DEFAULT_ROOT}). */
    public Builder root(String root) {
      if (!root.startsWith("/") || (root.length() > 1 && root.endsWith("/"))) {
        throw new IllegalArgumentException(
            "root: '" + root + "' (expected: an absolute znode path such as /vireo/config)");
      }
      this.root = root;
      return this;
    }

    /**
     * The service whose own znode overrides {@code shared}; without one, only {@code shared} is
     * read.
     */
    public Builder service(String service) {
      if (service.isEmpty() || service.indexOf('/') >= 0) {
        throw new IllegalArgumentException(
            "service: '" + service + "' (expected: a name without '/')");
      }
      this.service = Optional.of(service);
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
     * Whether to start without ZooKeeper's values when it cannot be reached, and take them when it
     * can (default: no).
     */
    public Builder retry(boolean retry) {
      settings = settings.withRetry(retry);
      return this;
    }

    public Builder authDigest(String userPassword) {
      settings = settings.withAuthDigest(userPassword);
      return this;
    }

    /** Uses this Curator client; closing the source leaves it open. */
    public Builder client(CuratorFramework client) {
      this.client = client;
      return this;
    }

    /**
     * Connects and reads the first values: blocks up to the connection timeout (call it at
     * start-up, never on an event loop). Fails with UNAVAILABLE when ZooKeeper cannot be reached,
     * unless {@link #retry} is on.
     */
    public ZooKeeperConfigSource build() {
      ZooKeeperConfigSource source = new ZooKeeperConfigSource(settings, root, service, client);
      source.start();
      return source;
    }
  }
}
