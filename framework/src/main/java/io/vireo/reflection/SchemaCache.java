package io.vireo.reflection;

import io.vireo.Service;
import io.vireo.registry.ServiceInstance;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * The schemas of the services a program calls, each learned once through server reflection and
 * learned again when that service's instances change (a deploy may change the schema). Nothing
 * blocks: {@link #schema} answers the cached schema, or the fetch in flight; a failed fetch is not
 * kept, so the next call asks again.
 *
 * <pre>{@code
 * SchemaCache schemas = SchemaCache.of(service);
 * schemas.schema("greeter").map(schema -> schema.method("SayHello")) ...
 * }</pre>
 */
public final class SchemaCache implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SchemaCache.class);
  private static final Duration FOREVER = Duration.ofMillis(Long.MAX_VALUE);

  private final Service service;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  private SchemaCache(Service service) {
    this.service = service;
  }

  /**
   * A cache that asks through {@code service}'s generic clients and watches its registry; the
   * service must be started.
   */
  public static SchemaCache of(Service service) {
    return new SchemaCache(service);
  }

  /** The schema of {@code name} (a service in the registry). */
  public Mono<ServiceSchema> schema(String name) {
    if (name.isEmpty()) {
      return Mono.error(
          new IllegalArgumentException(
              "service: empty (expected: a name in the registry, such as greeter)"));
    }
    return Mono.defer(() -> entries.computeIfAbsent(name, Entry::new).current);
  }

  /**
   * The schema of {@code name} when it is learned and current, without waiting: empty while it is
   * being learned (again), after a failed fetch, or when nobody asked for it yet. A caller on a hot
   * path uses it before {@link #schema}.
   */
  public Optional<ServiceSchema> ready(String name) {
    Entry entry = entries.get(name);
    return entry == null ? Optional.empty() : Optional.ofNullable(entry.ready);
  }

  /** Stops watching the registry. */
  @Override
  public void close() {
    entries.values().forEach(entry -> entry.watching.dispose());
    entries.clear();
  }

  /** One service: the schema (or its fetch), replaced when the set of instances changes. */
  private final class Entry {
    final String name;
    volatile Mono<ServiceSchema> current;
    // the schema the current fetch brought, once it has; each fetch has a number so that a late
    // answer of a replaced fetch is not taken for the current one
    volatile ServiceSchema ready;
    private volatile long fetches;
    final Disposable watching;

    Entry(String name) {
      this.name = name;
      this.current = fetch();
      this.watching =
          service
              .registry()
              .watch(name)
              .map(instances -> instances.stream().map(ServiceInstance::id).sorted().toList())
              .distinctUntilChanged()
              .skip(1) // the set the first fetch saw
              .retryWhen(
                  Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200))
                      .maxBackoff(Duration.ofSeconds(5)))
              .subscribe(
                  this::changed,
                  e -> log.warn("schema cache: watching {} failed: {}", name, e.toString()));
    }

    private void changed(List<String> ids) {
      log.debug("schema cache: instances of {} are now {}; learning its schema again", name, ids);
      ready = null;
      current = fetch();
    }

    private Mono<ServiceSchema> fetch() {
      long fetch = ++fetches; // the constructor, then the watch's one thread
      return ServiceSchema.fetch(service.genericClient(name))
          .doOnNext(
              schema -> {
                if (fetches == fetch) {
                  ready = schema;
                }
              })
          .cache(schema -> FOREVER, error -> Duration.ZERO, () -> Duration.ZERO);
    }
  }
}
