package io.vireo.resilience;

import io.vireo.config.Config;
import io.vireo.internal.resilience.ClientWrapper;
import io.vireo.internal.resilience.Guards;
import io.vireo.internal.resilience.ServerWrapper;
import io.vireo.wrapper.Wrapper;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Resilience wrappers, built on resilience4j-reactor. Client wrappers keep one state (breaker,
 * bulkhead, cache, ...) per target service; server wrappers one per endpoint, or per endpoint and
 * caller.
 *
 * <pre>{@code
 * CircuitBreakerWrapper breaker = Resilience.circuitBreaker(
 *     CircuitBreakerPolicy.defaults().slidingWindowSize(20).waitDurationInOpenState(Duration.ofSeconds(5)));
 * Service.builder("frontend")
 *     .wrap(Resilience.fallbackCache(1000), Resilience.retry(RetryPolicy.defaults()), breaker)
 *     .build()
 *     .start();
 * breaker.state("greeter"); // Optional[CLOSED]
 * }</pre>
 *
 * The same from configuration, with no code: {@code
 * vireo.client.services.greeter.circuit-breaker.sliding-window-size=20} and the other keys in
 * {@code framework/RESILIENCE.md}. Refusals are statuses: an open breaker is UNAVAILABLE ("circuit
 * breaker for greeter is open"), a full bulkhead or a rate or concurrency limit is
 * RESOURCE_EXHAUSTED, a time limit DEADLINE_EXCEEDED.
 */
public final class Resilience {
  private Resilience() {}

  /** A circuit breaker per target service. */
  public static CircuitBreakerWrapper circuitBreaker(CircuitBreakerPolicy policy) {
    Objects.requireNonNull(policy, "policy");
    return ClientWrapper.forEachService(service -> Guards.circuitBreaker(service, policy));
  }

  /**
   * Retries with exponential backoff and jitter, for idempotent unary calls, within their deadline.
   */
  public static Wrapper retry(RetryPolicy policy) {
    Objects.requireNonNull(policy, "policy");
    return ClientWrapper.forEachService(service -> Guards.retry(service, policy));
  }

  /**
   * At most {@code maxConcurrentCalls} calls in flight per target service; more fail with
   * RESOURCE_EXHAUSTED.
   */
  public static Wrapper bulkhead(int maxConcurrentCalls) {
    Guards.bulkhead("validation", maxConcurrentCalls);
    return ClientWrapper.forEachService(service -> Guards.bulkhead(service, maxConcurrentCalls));
  }

  /** Calls that give no answer within {@code timeout} fail with DEADLINE_EXCEEDED. */
  public static Wrapper timeLimiter(Duration timeout) {
    Guards.timeLimiter("validation", timeout);
    return ClientWrapper.forEachService(service -> Guards.timeLimiter(service, timeout));
  }

  /** Answers with {@code fallback} when a call fails with UNAVAILABLE or DEADLINE_EXCEEDED. */
  public static Wrapper fallback(Fallback fallback) {
    Objects.requireNonNull(fallback, "fallback");
    return ClientWrapper.forEachService(service -> Guards.fallback(service, fallback));
  }

  /**
   * Remembers the last good response of each unary call, by route and request (at most {@code
   * maxEntries}, least recently used first out), and answers with it when the same call fails with
   * UNAVAILABLE or DEADLINE_EXCEEDED.
   */
  public static Wrapper fallbackCache(int maxEntries) {
    Guards.cache("validation", maxEntries);
    return ClientWrapper.forEachService(service -> Guards.cache(service, maxEntries));
  }

  /**
   * A token bucket per served endpoint (and caller, if the policy says so); past it,
   * RESOURCE_EXHAUSTED.
   */
  public static Wrapper rateLimiter(RateLimitPolicy policy) {
    Objects.requireNonNull(policy, "policy");
    return ServerWrapper.forEveryEndpoint(Guards.server(policy, 0, policy.perCaller()));
  }

  /**
   * At most {@code maxConcurrentCalls} served calls in flight per endpoint (and caller); past it,
   * RESOURCE_EXHAUSTED.
   */
  public static Wrapper concurrencyLimit(int maxConcurrentCalls, boolean perCaller) {
    if (maxConcurrentCalls <= 0) {
      throw new IllegalArgumentException(
          "maxConcurrentCalls: " + maxConcurrentCalls + " (expected: > 0)");
    }
    return ServerWrapper.forEveryEndpoint(Guards.server(null, maxConcurrentCalls, perCaller));
  }

  /**
   * The wrappers this configuration asks for ({@code
   * vireo.client.services.<service>.circuit-breaker.*}, {@code .retry.*}, {@code .bulkhead.*},
   * {@code .time-limiter.*}, {@code .fallback.*}; {@code
   * vireo.server.endpoints.<Method>.rate-limit.*}, {@code .concurrency-limit}); an empty list when
   * it asks for none. Every service adds these to its chain by itself.
   */
  public static List<Wrapper> fromConfig(Config config) {
    return Guards.fromConfig(config);
  }
}
