package io.vireo.gateway.internal;

import io.vireo.Status;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import reactor.core.publisher.Mono;

/**
 * A token bucket per route and key: {@code rate-limit.rate} requests per second with bursts of
 * {@code rate-limit.burst}, keyed by {@code rate-limit.key} ({@code ip}, {@code header:<name>},
 * {@code subject} — the JWT's — or {@code route}). With {@code rate-limit.cluster=true} the numbers
 * are for the whole cluster: each gateway takes its share, the budget divided by the number of live
 * gateway instances the registry lists. Past the budget: {@code 429} with {@code Retry-After};
 * every reply carries {@code X-RateLimit-Limit} and {@code X-RateLimit-Remaining}.
 */
final class RateLimit implements Step {
  private static final int MAX_KEYS = 100_000;

  private final double rate;
  private final double burst;
  private final String key;
  private final boolean cluster;
  private final IntSupplier gateways;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  RateLimit(Policy policy, IntSupplier gateways) {
    this.rate = policy.decimal("rate-limit.rate", 0);
    if (rate <= 0) {
      throw new IllegalArgumentException(
          policy.key("rate-limit.rate") + ": " + rate + " (expected: > 0 requests per second)");
    }
    this.burst = policy.decimal("rate-limit.burst", Math.max(1, rate));
    this.key = policy.get("rate-limit.key").orElse("ip");
    if (!key.equals("ip")
        && !key.equals("subject")
        && !key.equals("route")
        && !key.startsWith("header:")) {
      throw new IllegalArgumentException(
          policy.key("rate-limit.key")
              + ": '"
              + key
              + "' (expected: ip, subject, route or header:<name>)");
    }
    this.cluster = policy.bool("rate-limit.cluster", false);
    this.gateways = gateways;
  }

  static boolean configured(Policy policy) {
    return policy.get("rate-limit.rate").isPresent();
  }

  @Override
  public Mono<Reply> apply(Exchange exchange, Handler next) {
    double share = cluster ? 1.0 / Math.max(1, gateways.getAsInt()) : 1.0;
    String bucketKey =
        switch (key) {
          case "ip" -> exchange.clientIp();
          case "subject" ->
              exchange.principal().map(p -> p.subject()).orElse("anonymous:" + exchange.clientIp());
          case "route" -> "";
          default -> exchange.header(key.substring("header:".length())).orElse("");
        };
    if (buckets.size() > MAX_KEYS) {
      buckets.clear(); // a flood of distinct keys must not grow memory without bound
    }
    Bucket bucket = buckets.computeIfAbsent(bucketKey, k -> new Bucket(burst * share));
    long now = System.nanoTime();
    double remaining;
    boolean taken;
    synchronized (bucket) {
      bucket.refill(now, rate * share, burst * share);
      taken = bucket.tokens >= 1;
      if (taken) {
        bucket.tokens -= 1;
      }
      remaining = bucket.tokens;
    }
    String limit = Long.toString((long) burst);
    String left = Long.toString((long) Math.floor(remaining / share));
    if (!taken) {
      Reply refused =
          HttpErrors.reply(
              Status.RESOURCE_EXHAUSTED, "rate limit of " + formatted(rate) + "/s exceeded");
      long retryAfter = (long) Math.ceil((1 - remaining) / (rate * share));
      refused.headers().set("retry-after", Long.toString(Math.max(1, retryAfter)));
      refused.headers().set("x-ratelimit-limit", limit);
      refused.headers().set("x-ratelimit-remaining", "0");
      return Mono.just(refused);
    }
    return next.handle(exchange)
        .doOnNext(
            reply -> {
              reply.headers().set("x-ratelimit-limit", limit);
              reply.headers().set("x-ratelimit-remaining", left);
            });
  }

  private static String formatted(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }

  private static final class Bucket {
    double tokens;
    long last = System.nanoTime();

    Bucket(double tokens) {
      this.tokens = tokens;
    }

    void refill(long now, double perSecond, double capacity) {
      tokens = Math.min(capacity, tokens + (now - last) / 1e9 * perSecond);
      last = now;
    }
  }
}
