package io.vireo.gateway.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.vireo.Status;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;

/**
 * A circuit breaker per route (resilience4j): {@code circuit-breaker.failure-rate} percent of the
 * last {@code circuit-breaker.window} calls failing (5xx, timeouts, no instance), after at least
 * {@code circuit-breaker.minimum-calls}, opens it for {@code circuit-breaker.open-for}; then {@code
 * circuit-breaker.half-open-calls} trial calls decide. Open: UNAVAILABLE (503), or the fallback.
 */
final class Breaker implements Step {
  private final CircuitBreaker breaker;

  Breaker(String name, Policy policy) {
    int window = policy.integer("circuit-breaker.window", 20);
    CircuitBreakerConfig config =
        CircuitBreakerConfig.custom()
            .failureRateThreshold((float) policy.decimal("circuit-breaker.failure-rate", 50))
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(window)
            .minimumNumberOfCalls(
                Math.min(window, policy.integer("circuit-breaker.minimum-calls", 10)))
            .waitDurationInOpenState(
                policy.duration("circuit-breaker.open-for").orElse(Duration.ofSeconds(10)))
            .permittedNumberOfCallsInHalfOpenState(
                policy.integer("circuit-breaker.half-open-calls", 3))
            .build();
    this.breaker = CircuitBreaker.of(name, config);
  }

  static boolean configured(Policy policy) {
    return policy.bool("circuit-breaker.enabled", policy.has("circuit-breaker"));
  }

  CircuitBreaker.State state() {
    return breaker.getState();
  }

  @Override
  public Mono<Reply> apply(Exchange exchange, Handler next) {
    if (!breaker.tryAcquirePermission()) {
      return Mono.just(
          HttpErrors.reply(
              Status.UNAVAILABLE, "circuit breaker of route " + exchange.routeId() + " is open"));
    }
    long start = System.nanoTime();
    return next.handle(exchange)
        .doOnNext(
            reply -> {
              long nanos = System.nanoTime() - start;
              if (reply.isServerFailure()) {
                breaker.onError(
                    nanos,
                    TimeUnit.NANOSECONDS,
                    new IllegalStateException(reply.callStatus().name()));
              } else {
                breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
              }
            })
        .doOnError(error -> breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, error))
        .doOnCancel(breaker::releasePermission);
  }
}
