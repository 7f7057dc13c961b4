package io.vireo.selector;

import io.vireo.Call;
import io.vireo.registry.ServiceInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Narrows the candidates of a call before the selector picks: by version, by metadata.
 * Filters are plain functions and compose with {@link #and}.
 */
@FunctionalInterface
public interface Filter {
  List<ServiceInstance> apply(List<ServiceInstance> candidates, Call call);

  /** Instances of exactly this version. */
  static Filter version(String version) {
    Objects.requireNonNull(version, "version");
    return (candidates, call) -> keep(candidates, instance -> instance.version().equals(version));
  }

  /** Instances whose metadata has this key with this value (e.g. {@code zone=eu-1}). */
  static Filter metadata(String key, String value) {
    return (candidates, call) -> keep(candidates, instance -> value.equals(instance.metadata().get(key)));
  }

  /** Instances served on this transport ({@code rsocket}, {@code grpc}, ...). */
  static Filter transport(String transport) {
    return (candidates, call) -> keep(candidates, instance -> instance.transport().equals(transport));
  }

  /** Instances that serve the call's endpoint, or that list no endpoints at all. */
  static Filter endpoint() {
    return (candidates, call) -> keep(candidates,
        instance -> instance.endpoints().isEmpty() || instance.endpoints().contains(call.route().rsocketName()));
  }

  /** This filter, then {@code next}. */
  default Filter and(Filter next) {
    return (candidates, call) -> next.apply(apply(candidates, call), call);
  }

  private static List<ServiceInstance> keep(
      List<ServiceInstance> candidates, java.util.function.Predicate<ServiceInstance> test) {
    for (ServiceInstance instance : candidates) {
      if (!test.test(instance)) {
        List<ServiceInstance> kept = new ArrayList<>(candidates.size());
        for (ServiceInstance candidate : candidates) {
          if (test.test(candidate)) {
            kept.add(candidate);
          }
        }
        return kept;
      }
    }
    return candidates;
  }
}
