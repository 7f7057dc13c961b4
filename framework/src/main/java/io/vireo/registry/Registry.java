package io.vireo.registry;

import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Where services find each other. {@code memory} (one JVM) is built in; {@code zookeeper} comes
 * with the registry-zookeeper module.
 */
public interface Registry {
  /** Adds or replaces an instance; completes when the registry holds it. */
  Mono<Void> register(ServiceInstance instance);

  /** Removes an instance; completes when it is gone (also when it was not there). */
  Mono<Void> deregister(ServiceInstance instance);

  /** The instances of a service now; empty when there are none. */
  Mono<List<ServiceInstance>> instances(String service);

  /**
   * The instances of a service: the current set first, then the whole set again after every change.
   * Never completes by itself; cancel to stop watching.
   */
  Flux<List<ServiceInstance>> watch(String service);

  /** The names of the services that have instances. */
  Mono<List<String>> services();

  /** Releases what the registry holds (its own registrations included). */
  Mono<Void> close();

  /**
   * Whether the registry can be reached now, for readiness ({@code /health/ready}). Must answer
   * quickly from state the registry keeps, without a round trip that blocks; those that cannot tell
   * say yes.
   */
  default Mono<Boolean> reachable() {
    return Mono.just(true);
  }
}
