package io.vireo.internal.resilience;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import io.github.resilience4j.reactor.bulkhead.operator.BulkheadOperator;
import io.github.resilience4j.reactor.ratelimiter.operator.RateLimiterOperator;
import io.vireo.Call;
import io.vireo.Headers;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.resilience.RateLimitPolicy;
import io.vireo.wrapper.CallFunction;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * The limits of one served endpoint (or of every endpoint, for a guard built in code): a token
 * bucket and a concurrency limit, each shared or one per caller ({@code vireo-caller}). Both refuse
 * at once with RESOURCE_EXHAUSTED, naming the limit; both take new limits live.
 */
public final class ServerGuard {
  private final String name;
  private final boolean perCaller;
  private volatile @Nullable RateLimitPolicy rate;
  private volatile int concurrency;
  private final Map<String, RateLimiter> rateLimiters = new ConcurrentHashMap<>();
  private final Map<String, Bulkhead> bulkheads = new ConcurrentHashMap<>();

  /**
   * {@code name}: what messages call the limits, such as {@code vireo.server.endpoints.SayHello}.
   */
  ServerGuard(String name, @Nullable RateLimitPolicy rate, int concurrency, boolean perCaller) {
    if (concurrency < 0) {
      throw new IllegalArgumentException(
          name + ".concurrency-limit: " + concurrency + " (expected: > 0)");
    }
    this.name = name;
    this.rate = rate;
    this.concurrency = concurrency;
    this.perCaller = perCaller || (rate != null && rate.perCaller());
  }

  boolean limitsRate() {
    return rate != null;
  }

  /** A new number of calls per period, for the buckets there are and the ones to come. */
  void limitForPeriod(int limit) {
    RateLimitPolicy current = rate;
    if (current == null) {
      return;
    }
    rate = new RateLimitPolicy(limit, current.limitRefreshPeriod(), current.perCaller());
    rateLimiters.values().forEach(limiter -> limiter.changeLimitForPeriod(limit));
  }

  /** A new concurrency limit. */
  void concurrencyLimit(int limit) {
    if (concurrency == 0) {
      return;
    }
    concurrency = limit;
    bulkheads
        .values()
        .forEach(bulkhead -> bulkhead.changeConfig(ClientGuard.bulkheadConfig(limit)));
  }

  public Flux<Object> call(CallFunction next, Call call, Flux<Object> requests) {
    Flux<Object> responses = Flux.defer(() -> next.apply(call, requests));
    String key = call.route().fullName();
    if (perCaller) {
      key = key + "|" + call.headers().get(Headers.CALLER).orElse("");
    }
    if (concurrency > 0) {
      Bulkhead bulkhead =
          bulkheads.computeIfAbsent(
              key, k -> Bulkhead.of(k, ClientGuard.bulkheadConfig(concurrency)));
      responses =
          responses
              .transformDeferred(BulkheadOperator.of(bulkhead))
              .onErrorMap(
                  BulkheadFullException.class,
                  e ->
                      VireoException.of(
                          Status.RESOURCE_EXHAUSTED,
                          "concurrency limit of %s reached: %d calls in flight%s (%s.concurrency-limit)",
                          call.route(),
                          bulkhead.getBulkheadConfig().getMaxConcurrentCalls(),
                          forCaller(call),
                          name));
    }
    RateLimitPolicy policy = rate;
    if (policy != null) {
      RateLimiter limiter =
          rateLimiters.computeIfAbsent(
              key,
              k ->
                  RateLimiter.of(
                      k,
                      RateLimiterConfig.custom()
                          .limitForPeriod(policy.limitForPeriod())
                          .limitRefreshPeriod(policy.limitRefreshPeriod())
                          .timeoutDuration(Duration.ZERO)
                          .build()));
      responses =
          responses
              .transformDeferred(RateLimiterOperator.of(limiter))
              .onErrorMap(
                  RequestNotPermitted.class,
                  e ->
                      VireoException.of(
                          Status.RESOURCE_EXHAUSTED,
                          "rate limit of %s exceeded: %d calls per %d ms%s (%s.rate-limit)",
                          call.route(),
                          limiter.getRateLimiterConfig().getLimitForPeriod(),
                          limiter.getRateLimiterConfig().getLimitRefreshPeriod().toMillis(),
                          forCaller(call),
                          name));
    }
    return responses;
  }

  private String forCaller(Call call) {
    return perCaller
        ? call.headers()
            .get(Headers.CALLER)
            .map(c -> " for caller " + c)
            .orElse(" for callers without a name")
        : "";
  }
}
