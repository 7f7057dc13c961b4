package io.vireo.registry.etcd;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.config.Config;
import io.vireo.config.ConfigDocuments;
import io.vireo.config.ConfigSource;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * Configuration from etcd keys, pushed to running services without a restart.
 *
 * <p>Two scopes are read, {@code shared} and the service's own, the service's overriding. Each
 * scope is a document, a key holding Java properties or YAML (the ZooKeeper config source's
 * format), and single values, one key each, which override the document:
 *
 * <pre>
 * /vireo/config/shared                           properties or YAML, for every service
 * /vireo/config/shared/vireo.client.timeout      one value
 * /vireo/config/orders                           properties or YAML, for "orders"
 * /vireo/config/orders/orders.max-batch          one value
 * </pre>
 *
 * <p>Both scopes are held in caches kept current by etcd watches (resumed by revision after a
 * disconnect), so {@link #properties()} never blocks, and a change pushes the names of the keys it
 * changed to {@link #changes()}: a service sees a new value through {@link Config#watch}.
 *
 * <pre>{@code
 * ConfigSource etcd = EtcdConfigSource.builder()
 *     .endpoints("http://127.0.0.1:2379")
 *     .service("orders")
 *     .build();                       // connects and reads the first values
 * Config config = Config.builder().source(etcd).build();
 * config.watch("orders.max-batch").subscribe(value -> ...);
 * }</pre>
 *
 * <p>With configuration: {@code vireo.config.sources=etcd}; the keys under {@code
 * vireo.config.etcd} default to those under {@code vireo.registry.etcd}.
 */
public final class EtcdConfigSource implements ConfigSource {
  private static final Logger logger = LoggerFactory.getLogger(EtcdConfigSource.class);

  /** The key prefix of this source's settings. */
  public static final String CONFIG_PREFIX = "vireo.config.etcd";

  /** {@value}: where configuration keys live. */
  public static final String DEFAULT_ROOT = "/vireo/config";

  /** {@value}: the scope every service reads, below its own. */
  public static final String SHARED = "shared";

  /** The key that names the service whose scope to read. */
  public static final String SERVICE_NAME_KEY = "vireo.service.name";

  private final ClientSettings settings;
  private final Client client;
  private final boolean ownsClient;
  private final String root;
  private final List<String> scopes;
  private final ScheduledExecutorService watchThread;
  private final Map<String, PrefixCache> caches = new HashMap<>();
  private final Map<String, Map<String, KeyValue>> raw = new HashMap<>();
  private final Map<String, Map<String, String>> parsedDocuments = new HashMap<>();
  private final Sinks.Many<Set<String>> changes = Sinks.many().multicast().directBestEffort();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Map<String, String> properties = Map.of();

  private EtcdConfigSource(
      ClientSettings settings, String root, Optional<String> service, @Nullable Client client) {
    this.settings = settings;
    this.ownsClient = client == null;
    this.client = client != null ? client : EtcdClients.newClient(settings);
    this.root = root;
    this.scopes = service.map(name -> List.of(SHARED, name)).orElse(List.of(SHARED));
    this.watchThread =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "vireo-etcd-config");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * A started source with the settings under {@code vireo.config.etcd} (falling back to {@code
   * vireo.registry.etcd}) for the service named by {@code vireo.service.name}. Blocks until the
   * first values are read (at most the connection timeout).
   */
  public static EtcdConfigSource of(Config config) {
    ClientSettings registry =
        ClientSettings.from(config, EtcdRegistry.CONFIG_PREFIX, ClientSettings.defaults());
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
    return "etcd:" + settings.endpointText() + root + "/{" + String.join(",", scopes) + "}";
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
    return Mono.<Void>fromRunnable(this::closeNow).subscribeOn(Schedulers.boundedElastic());
  }

  @Override
  public String toString() {
    return name();
  }

  private void start() {
    CompletableFuture<?>[] loads = new CompletableFuture<?>[scopes.size()];
    for (int i = 0; i < scopes.size(); i++) {
      String scope = scopes.get(i);
      PrefixCache cache =
          new PrefixCache(
              client,
              root + "/" + scope,
              watchThread,
              settings.connectionTimeout(),
              settings.endpointText(),
              current -> changed(scope, current));
      caches.put(scope, cache);
      loads[i] = cache.start();
    }
    try {
      CompletableFuture.allOf(loads)
          .get(settings.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeNow();
      throw VireoException.of(
          Status.CANCELLED,
          "interrupted while reading configuration from etcd at %s",
          settings.endpointText());
    } catch (Exception e) {
      closeNow();
      throw EtcdClients.toVireo(
          e instanceof TimeoutException ? e : EtcdClients.unwrap(e),
          "etcd config source",
          settings,
          CONFIG_PREFIX);
    }
    logger.info("etcd config source {}: {} key(s)", name(), properties.size());
  }

  /** On the watch thread: one scope's keys changed. */
  private void changed(String scope, Map<String, KeyValue> keys) {
    if (closed.get()) {
      return;
    }
    String document = root + "/" + scope;
    Map<String, KeyValue> mine = new HashMap<>();
    keys.forEach(
        (key, kv) -> {
          if (key.equals(document)
              || key.startsWith(document + "/") && key.length() > document.length() + 1) {
            mine.put(key, kv);
          }
        });
    Map<String, KeyValue> previous = raw.put(scope, mine);
    KeyValue doc = mine.get(document);
    KeyValue oldDoc = previous == null ? null : previous.get(document);
    if (doc == null) {
      parsedDocuments.remove(scope);
    } else if (oldDoc == null || oldDoc.getModRevision() != doc.getModRevision()) {
      try {
        parsedDocuments.put(scope, ConfigDocuments.parse(document, doc.getValue().getBytes()));
      } catch (IllegalArgumentException e) {
        // keep serving what the key held last
        logger.warn(
            "Ignoring unreadable configuration in {} on etcd at {}: {}",
            document,
            settings.endpointText(),
            e.getMessage());
      }
    }
    publish();
  }

  private void publish() {
    Map<String, String> merged = new HashMap<>();
    for (String scope : scopes) {
      merged.putAll(parsedDocuments.getOrDefault(scope, Map.of()));
      String document = root + "/" + scope + "/";
      // single values, in key order so that the outcome does not depend on arrival
      new TreeMap<>(raw.getOrDefault(scope, Map.of()))
          .forEach(
              (key, kv) -> {
                if (key.startsWith(document)) {
                  merged.put(
                      key.substring(document.length()),
                      kv.getValue().toString(StandardCharsets.UTF_8).trim());
                }
              });
    }
    Map<String, String> before = properties;
    Set<String> changed = new HashSet<>();
    merged.forEach(
        (key, value) -> {
          if (!Objects.equals(before.get(key), value)) {
            changed.add(key);
          }
        });
    before.keySet().stream().filter(key -> !merged.containsKey(key)).forEach(changed::add);
    if (changed.isEmpty()) {
      return;
    }
    properties = Map.copyOf(merged);
    logger.info("Configuration from etcd changed: {}", new TreeSet<>(changed));
    changes.tryEmitNext(Set.copyOf(changed));
  }

  private void closeNow() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    caches.values().forEach(PrefixCache::close);
    watchThread.shutdown();
    if (ownsClient) {
      client.close();
    }
    changes.tryEmitComplete();
  }

  /** Builds and starts an {@link EtcdConfigSource}. */
  public static final class Builder {
    private ClientSettings settings;
    private String root = DEFAULT_ROOT;
    private Optional<String> service = Optional.empty();
    private @Nullable Client client;

    Builder(ClientSettings settings) {
      this.settings = settings;
    }

    /** etcd's client URLs, comma-separated (default {@code http://127.0.0.1:2379}). */
    public Builder endpoints(String endpoints) {
      settings = settings.withEndpoints(ClientSettings.parseEndpoints(endpoints));
      return this;
    }

    public Builder endpoints(List<URI> endpoints) {
      settings = settings.withEndpoints(endpoints);
      return this;
    }

    /** The parent of {@code shared} and the services' keys (default {@value #DEFAULT_ROOT}). */
    public Builder root(String root) {
      if (!root.startsWith("/") || root.length() < 2 || root.endsWith("/")) {
        throw new IllegalArgumentException(
            "root: '"
                + root
                + "' (expected: a key path such as /vireo/config, without a trailing '/')");
      }
      this.root = root;
      return this;
    }

    /**
     * The service whose own keys override {@code shared}; without one, only {@code shared} is read.
     */
    public Builder service(String service) {
      if (service.isEmpty() || service.indexOf('/') >= 0) {
        throw new IllegalArgumentException(
            "service: '" + service + "' (expected: a name without '/')");
      }
      this.service = Optional.of(service);
      return this;
    }

    public Builder connectionTimeout(Duration connectionTimeout) {
      settings = settings.withConnectionTimeout(connectionTimeout);
      return this;
    }

    public Builder auth(String user, String password) {
      settings = settings.withAuth(user, password);
      return this;
    }

    public Builder trustCertificates(Path caFile) {
      settings = settings.withTrust(caFile);
      return this;
    }

    public Builder clientCertificate(Path certFile, Path keyFile) {
      settings = settings.withClientCertificate(certFile, keyFile);
      return this;
    }

    /** Uses this jetcd client; closing the source leaves it open. */
    public Builder client(Client client) {
      this.client = client;
      return this;
    }

    /**
     * Connects and reads the first values: blocks up to the connection timeout (call it at
     * start-up, never on an event loop). Fails with UNAVAILABLE when etcd cannot be reached.
     */
    public EtcdConfigSource build() {
      EtcdConfigSource source = new EtcdConfigSource(settings, root, service, client);
      source.start();
      return source;
    }
  }
}
