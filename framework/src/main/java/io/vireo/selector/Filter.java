package io.vireo.selector;

import io.vireo.Call;
import io.vireo.internal.selector.Filters;
import io.vireo.registry.ServiceInstance;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Narrows the candidates of a call before the selector picks: by version, by metadata. Filters are
 * plain functions and compose with {@link #and}.
 */
@FunctionalInterface
public interface Filter {
  List<ServiceInstance> apply(List<ServiceInstance> candidates, Call call);

  /** Instances of exactly this version. */
  static Filter version(String version) {
    Objects.requireNonNull(version, "version");
    return Filters.keep(instance -> instance.version().equals(version));
  }

  /** Instances whose metadata has this key with this value (e.g. {@code zone=eu-1}). */
  static Filter metadata(String key, String value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    return Filters.keep(instance -> value.equals(instance.metadata().get(key)));
  }

  /** Instances served on this transport ({@code rsocket}, {@code grpc}, ...). */
  static Filter transport(String transport) {
    return Filters.keep(instance -> instance.transport().equals(transport));
  }

  /**
   * A canary split (gray release): instances with metadata {@code canary=true} get {@code percent}
   * percent of the calls, the others the rest. Set from configuration with {@code
   * vireo.client.services.<service>.canary.percent}.
   */
  static Filter canary(double percent) {
    return Filters.canary(percent, "", () -> ThreadLocalRandom.current().nextDouble());
  }

  /**
   * A canary split by header: a call with {@code header: true} (such as {@code x-canary: true})
   * goes to canary instances only, with any other value to the others; calls without the header go
   * to canaries with probability {@code percent}/100. Configuration: {@code
   * vireo.client.services.<service>.canary.header}.
   */
  static Filter canary(double percent, String header) {
    Objects.requireNonNull(header, "header");
    return Filters.canary(percent, header, () -> ThreadLocalRandom.current().nextDouble());
  }

  /** This filter, then {@code next}. */
  default Filter and(Filter next) {
    return (candidates, call) -> next.apply(apply(candidates, call), call);
  }
}
