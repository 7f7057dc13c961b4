package io.vireo.gateway.internal;

import io.vireo.registry.ServiceInstance;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import reactor.core.publisher.Mono;

/**
 * Gray release: a request is a canary one when its {@code canary.header} (default {@code X-Canary})
 * or {@code canary.cookie} says {@code true}, or else by {@code canary.weight} percent; canary
 * requests go to the canary instances only — those of {@code canary.version}, or with the metadata
 * {@code canary.metadata} (default {@code canary=true}) — and the others never do. A header or
 * cookie with another value means "not canary".
 */
final class Canary implements Step {
  private final String header;
  private final String cookie;
  private final double weight;
  private final Predicate<ServiceInstance> canary;

  Canary(Policy policy) {
    this.header = policy.get("canary.header").orElse("x-canary");
    this.cookie = policy.get("canary.cookie").orElse("");
    this.weight = policy.decimal("canary.weight", 0);
    if (weight < 0 || weight > 100) {
      throw new IllegalArgumentException(
          policy.key("canary.weight") + ": " + weight + " (expected: 0..100 percent)");
    }
    if (policy.get("canary.version").isPresent()) {
      String version = policy.get("canary.version").get();
      this.canary = instance -> instance.version().equals(version);
    } else {
      String metadata = policy.get("canary.metadata").orElse("canary=true");
      int eq = metadata.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            policy.key("canary.metadata") + ": '" + metadata + "' (expected: key=value)");
      }
      String key = metadata.substring(0, eq).trim();
      String value = metadata.substring(eq + 1).trim();
      this.canary = instance -> value.equals(instance.metadata().get(key));
    }
  }

  static boolean configured(Policy policy) {
    return policy.has("canary");
  }

  @Override
  public Mono<Reply> apply(Exchange exchange, Handler next) {
    String said =
        exchange
            .header(header)
            .or(() -> cookie.isEmpty() ? Optional.empty() : exchange.cookie(cookie))
            .orElse("");
    boolean toCanary =
        said.isEmpty()
            ? weight > 0 && ThreadLocalRandom.current().nextDouble(100) < weight
            : said.equalsIgnoreCase("true");
    exchange.instanceFilter(toCanary ? canary : canary.negate());
    return next.handle(exchange);
  }
}
