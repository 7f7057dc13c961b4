package io.vireo.benchmarks;

import io.vireo.registry.Registry;
import io.vireo.registry.ServiceInstance;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A registry that knows one instance, in another JVM, given on the command line. */
final class StaticRegistry implements Registry {
  private final ServiceInstance instance;

  StaticRegistry(ServiceInstance instance) {
    this.instance = instance;
  }

  @Override
  public Mono<Void> register(ServiceInstance instance) {
    return Mono.empty();
  }

  @Override
  public Mono<Void> deregister(ServiceInstance instance) {
    return Mono.empty();
  }

  @Override
  public Mono<List<ServiceInstance>> instances(String service) {
    return Mono.just(service.equals(instance.service()) ? List.of(instance) : List.of());
  }

  @Override
  public Flux<List<ServiceInstance>> watch(String service) {
    return instances(service).concatWith(Mono.never());
  }

  @Override
  public Mono<List<String>> services() {
    return Mono.just(List.of(instance.service()));
  }

  @Override
  public Mono<Void> close() {
    return Mono.empty();
  }
}
