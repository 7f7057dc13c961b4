package io.vireo.gateway.internal;

import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.registry.Registry;
import io.vireo.registry.ServiceInstance;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * The instances of registry services for {@code lb://} upstreams: watched once per service, picked
 * round-robin.
 */
public final class RegistryInstances implements HttpProxy.Instances {
  private final Registry registry;
  private final Map<String, Watched> watched = new ConcurrentHashMap<>();

  public RegistryInstances(Registry registry) {
    this.registry = registry;
  }

  private static final class Watched {
    final AtomicReference<List<ServiceInstance>> instances;
    final Mono<List<ServiceInstance>> first;
    final AtomicInteger next = new AtomicInteger();
    volatile Disposable subscription;

    Watched(Mono<List<ServiceInstance>> first, AtomicReference<List<ServiceInstance>> instances) {
      this.first = first;
      this.instances = instances;
    }
  }

  @Override
  public Mono<ServiceInstance> pick(String service, Predicate<ServiceInstance> filter) {
    Watched entry = watched.computeIfAbsent(service, this::watch);
    return entry.first.then(
        Mono.defer(
            () -> {
              List<ServiceInstance> candidates =
                  entry.instances.get().stream().filter(filter).toList();
              if (candidates.isEmpty()) {
                return Mono.error(
                    new VireoException(
                        Status.UNAVAILABLE,
                        "no instance of "
                            + service
                            + (entry.instances.get().isEmpty()
                                ? ""
                                : " matches the route's canary filter")));
              }
              return Mono.just(
                  candidates.get(Math.floorMod(entry.next.getAndIncrement(), candidates.size())));
            }));
  }

  @Override
  public List<ServiceInstance> current(String service) {
    return watched.computeIfAbsent(service, this::watch).instances.get();
  }

  private Watched watch(String service) {
    AtomicReference<List<ServiceInstance>> holder = new AtomicReference<>(List.of());
    Mono<List<ServiceInstance>> first =
        registry
            .instances(service)
            .doOnNext(list -> holder.compareAndSet(List.of(), list))
            .onErrorReturn(List.of())
            .cache();
    Watched withFirst = new Watched(first, holder);
    withFirst.subscription =
        registry
            .watch(service)
            .subscribe(withFirst.instances::set, error -> watched.remove(service));
    return withFirst;
  }

  public void close() {
    watched
        .values()
        .forEach(
            entry -> {
              if (entry.subscription != null) {
                entry.subscription.dispose();
              }
            });
    watched.clear();
  }
}
