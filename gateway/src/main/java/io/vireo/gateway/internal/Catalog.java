package io.vireo.gateway.internal;

import com.google.protobuf.Descriptors;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.vireo.Route;
import io.vireo.reflection.ServiceSchema;
import io.vireo.registry.Registry;
import io.vireo.registry.ServiceInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What the gateway knows of the services in the registry: which registry service serves which proto
 * service (from the instances' endpoints), their schemas, the {@code google.api.http} bindings and
 * the message types, refreshed every {@code vireo.gateway.discovery.refresh} (default 5 s) and, at
 * most once a second, when a request finds nothing.
 */
public final class Catalog {
  private static final Logger log = LoggerFactory.getLogger(Catalog.class);

  private final Registry registry;
  private final RpcCalls calls;
  private final String self;
  private final AtomicLong lastOnDemand = new AtomicLong();
  private final Set<String> seen = ConcurrentHashMap.newKeySet();
  private volatile Snapshot snapshot = new Snapshot(Map.of(), List.of(), Map.of());
  private Disposable refreshing = () -> {};

  /** A message type and the schema it came from. */
  public record Type(String service, ServiceSchema schema, Descriptor descriptor) {}

  record Snapshot(
      Map<String, String> protoServices, List<HttpBinding> bindings, Map<String, Type> types) {}

  public Catalog(Registry registry, RpcCalls calls, String self) {
    this.registry = registry;
    this.calls = calls;
    this.self = self;
  }

  public void start(Duration every) {
    refreshing =
        Flux.interval(Duration.ZERO, every)
            .onBackpressureDrop()
            .concatMap(
                tick ->
                    refresh()
                        .onErrorResume(
                            e -> {
                              log.warn("gateway catalog: {}", e.toString());
                              return Mono.empty();
                            }))
            .subscribe();
  }

  public void stop() {
    refreshing.dispose();
  }

  /** Reads the registry and the schemas again. */
  public Mono<Void> refresh() {
    return registry
        .services()
        .flatMapMany(Flux::fromIterable)
        .filter(name -> !name.equals(self))
        .doOnNext(seen::add)
        .flatMap(name -> registry.instances(name).map(instances -> Map.entry(name, instances)), 8)
        .filter(entry -> entry.getValue().stream().anyMatch(i -> !i.transport().equals("http")))
        .flatMap(
            entry ->
                calls
                    .schema(entry.getKey())
                    .map(schema -> Optional.of(new Found(entry.getKey(), entry.getValue(), schema)))
                    .onErrorResume(
                        e -> {
                          log.debug("no schema of {}: {}", entry.getKey(), e.toString());
                          return Mono.just(
                              Optional.of(new Found(entry.getKey(), entry.getValue(), null)));
                        }),
            8)
        .filter(Optional::isPresent)
        .map(Optional::get)
        .collectList()
        .doOnNext(found -> snapshot = build(found))
        .then();
  }

  private record Found(String name, List<ServiceInstance> instances, ServiceSchema schema) {}

  private static Snapshot build(List<Found> found) {
    Map<String, String> protoServices = new LinkedHashMap<>();
    List<HttpBinding> bindings = new ArrayList<>();
    Map<String, Type> types = new LinkedHashMap<>();
    found.sort(Comparator.comparing(Found::name));
    for (Found service : found) {
      for (ServiceInstance instance : service.instances()) {
        for (String endpoint : instance.endpoints()) {
          try {
            protoServices.putIfAbsent(Route.parse(endpoint).service(), service.name());
          } catch (IllegalArgumentException e) {
            // an endpoint Vireo did not write: not a route
          }
        }
      }
      if (service.schema() == null) {
        continue;
      }
      for (ServiceDescriptor proto : service.schema().services()) {
        protoServices.putIfAbsent(proto.getFullName(), service.name());
        for (MethodDescriptor method : proto.getMethods()) {
          bindings.addAll(HttpBinding.of(service.name(), method));
        }
        collectTypes(service, proto, types);
      }
    }
    bindings.sort(Comparator.comparingInt((HttpBinding b) -> -b.template().literals()));
    return new Snapshot(Map.copyOf(protoServices), List.copyOf(bindings), Map.copyOf(types));
  }

  private static void collectTypes(
      Found service, ServiceDescriptor proto, Map<String, Type> types) {
    for (Descriptor message : proto.getFile().getMessageTypes()) {
      addType(service, message, types);
    }
    for (Descriptors.FileDescriptor dependency : proto.getFile().getDependencies()) {
      for (Descriptor message : dependency.getMessageTypes()) {
        addType(service, message, types);
      }
    }
  }

  private static void addType(Found service, Descriptor message, Map<String, Type> types) {
    types.putIfAbsent(message.getFullName(), new Type(service.name(), service.schema(), message));
    for (Descriptor nested : message.getNestedTypes()) {
      addType(service, nested, types);
    }
  }

  /**
   * Refreshes now if it has not in the last second (a request found nothing, perhaps a new
   * service).
   */
  public Mono<Void> refreshOnMiss() {
    long now = System.nanoTime();
    long last = lastOnDemand.get();
    if (now - last < 1_000_000_000L || !lastOnDemand.compareAndSet(last, now)) {
      return Mono.empty();
    }
    return refresh().onErrorResume(e -> Mono.empty());
  }

  /** Whether the registry has listed this service since the gateway started. */
  public boolean seen(String name) {
    return seen.contains(name);
  }

  public Optional<String> serviceOf(String protoService) {
    return Optional.ofNullable(snapshot.protoServices().get(protoService));
  }

  public List<HttpBinding> bindings() {
    return snapshot.bindings();
  }

  public Optional<Type> type(String fullName) {
    return Optional.ofNullable(snapshot.types().get(fullName));
  }
}
