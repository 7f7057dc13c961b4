package io.vireo.registry.memory;

import io.vireo.config.Config;
import io.vireo.registry.Registry;
import io.vireo.registry.ServiceInstance;
import io.vireo.registry.spi.RegistryProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The embedded registry: one store per JVM (or per {@link #newStore()} in tests), and a handle per
 * user that removes its own registrations when closed, as a process's would vanish.
 */
public final class MemoryRegistry implements Registry {
  public static final String NAME = "memory";

  private static final Store SHARED = new Store();

  private final Store store;
  private final Set<ServiceInstance> own = ConcurrentHashMap.newKeySet();

  private MemoryRegistry(Store store) {
    this.store = store;
  }

  /**
   * What to add to "no instance of service" when {@code registry} is this one: it serves one JVM,
   * so a service in another process is never in it.
   */
  public static String noInstanceHint(Registry registry) {
    return registry instanceof MemoryRegistry
        ? "; the registry is the embedded memory registry (vireo.registry=memory, the default), one per JVM:"
            + " services in other processes are not in it; to find them set vireo.registry=zookeeper or etcd"
            + " (with vireo.registry.zookeeper.connect or the etcd endpoints), the same in every process"
        : "";
  }

  /** A handle on the JVM-wide store. */
  public static MemoryRegistry shared() {
    return new MemoryRegistry(SHARED);
  }

  /** A handle on a new, private store; {@link #handle()} gives more handles on it. */
  public static MemoryRegistry newStore() {
    return new MemoryRegistry(new Store());
  }

  /** Another handle on the same store. */
  public MemoryRegistry handle() {
    return new MemoryRegistry(store);
  }

  @Override
  public Mono<Void> register(ServiceInstance instance) {
    return Mono.fromRunnable(
        () -> {
          own.removeIf(
              old -> old.service().equals(instance.service()) && old.id().equals(instance.id()));
          own.add(instance);
          store.put(instance);
        });
  }

  @Override
  public Mono<Void> deregister(ServiceInstance instance) {
    return Mono.fromRunnable(
        () -> {
          own.remove(instance);
          store.remove(instance.service(), instance.id());
        });
  }

  @Override
  public Mono<List<ServiceInstance>> instances(String service) {
    return Mono.fromSupplier(() -> store.list(service));
  }

  @Override
  public Flux<List<ServiceInstance>> watch(String service) {
    return store.sink(service).asFlux();
  }

  @Override
  public Mono<List<String>> services() {
    return Mono.fromSupplier(store::services);
  }

  @Override
  public Mono<Void> close() {
    return Mono.fromRunnable(
        () -> {
          for (ServiceInstance instance : own) {
            store.remove(instance.service(), instance.id());
          }
          own.clear();
        });
  }

  private static final class Store {
    private final Map<String, Map<String, ServiceInstance>> services = new TreeMap<>();
    private final Map<String, Sinks.Many<List<ServiceInstance>>> sinks = new ConcurrentHashMap<>();

    synchronized void put(ServiceInstance instance) {
      services
          .computeIfAbsent(instance.service(), s -> new LinkedHashMap<>())
          .put(instance.id(), instance);
      publish(instance.service());
    }

    synchronized void remove(String service, String id) {
      Map<String, ServiceInstance> instances = services.get(service);
      if (instances != null && instances.remove(id) != null) {
        if (instances.isEmpty()) {
          services.remove(service);
        }
        publish(service);
      }
    }

    synchronized List<ServiceInstance> list(String service) {
      Map<String, ServiceInstance> instances = services.get(service);
      if (instances == null) {
        return List.of();
      }
      List<ServiceInstance> list = new ArrayList<>(instances.values());
      list.sort(Comparator.comparing(ServiceInstance::id));
      return List.copyOf(list);
    }

    synchronized List<String> services() {
      return List.copyOf(services.keySet());
    }

    Sinks.Many<List<ServiceInstance>> sink(String service) {
      Sinks.Many<List<ServiceInstance>> sink = sinks.get(service);
      if (sink != null) {
        return sink;
      }
      synchronized (this) {
        return sinks.computeIfAbsent(
            service,
            s -> {
              Sinks.Many<List<ServiceInstance>> created = Sinks.many().replay().latest();
              created.tryEmitNext(list(s));
              return created;
            });
      }
    }

    // under the lock, so emissions are serialized and in order
    private void publish(String service) {
      Sinks.Many<List<ServiceInstance>> sink = sinks.get(service);
      if (sink != null) {
        sink.tryEmitNext(list(service));
      }
    }
  }

  /** {@code memory}: a handle on the JVM-wide store. */
  public static final class Provider implements RegistryProvider {
    @Override
    public String name() {
      return NAME;
    }

    @Override
    public Registry create(Config config) {
      return shared();
    }
  }
}
