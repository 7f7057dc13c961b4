package io.vireo.internal.resilience;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.reactor.bulkhead.operator.BulkheadOperator;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.reactor.timelimiter.TimeLimiterOperator;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.vireo.Call;
import io.vireo.CallKind;
import io.vireo.Route;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.resilience.BreakerState;
import io.vireo.resilience.CircuitBreakerPolicy;
import io.vireo.resilience.Fallback;
import io.vireo.resilience.RetryPolicy;
import io.vireo.wrapper.CallFunction;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * The resilience of calls to one service, outermost first: fallback, retry, circuit breaker,
 * bulkhead, time limiter. Each part is optional; the resilience4j objects live as long as the
 * guard, so that every endpoint of the service shares them.
 */
public final class ClientGuard {
  final String service;
  @Nullable Fallback fallback;
  @Nullable ResponseCache cache;
  @Nullable Retry retry;
  @Nullable CircuitBreaker breaker;
  @Nullable Bulkhead bulkhead;
  @Nullable TimeLimiter timeLimiter;

  ClientGuard(String service) {
    this.service = service;
  }

  ClientGuard circuitBreaker(CircuitBreakerPolicy policy) {
    breaker =
        CircuitBreaker.of(
            service,
            CircuitBreakerConfig.custom()
                .failureRateThreshold(policy.failureRateThreshold())
                .slidingWindowSize(policy.slidingWindowSize())
                .minimumNumberOfCalls(policy.minimumNumberOfCalls())
                .waitDurationInOpenState(policy.waitDurationInOpenState())
                .permittedNumberOfCallsInHalfOpenState(policy.permittedCallsInHalfOpenState())
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .recordException(Errors::failure)
                .ignoreException(error -> error instanceof Errors.BreakerOpen)
                .build());
    return this;
  }

  ClientGuard retry(RetryPolicy policy) {
    IntervalFunction backoff =
        policy.jitter() > 0
            ? IntervalFunction.ofExponentialRandomBackoff(
                policy.initialBackoff(), policy.multiplier(), policy.jitter(), policy.maxBackoff())
            : IntervalFunction.ofExponentialBackoff(
                policy.initialBackoff(), policy.multiplier(), policy.maxBackoff());
    retry =
        Retry.of(
            service,
            RetryConfig.custom()
                .maxAttempts(policy.maxAttempts())
                .intervalFunction(backoff)
                .retryOnException(Errors::retryable)
                .failAfterMaxAttempts(false)
                .build());
    return this;
  }

  ClientGuard bulkhead(int maxConcurrentCalls) {
    bulkhead = Bulkhead.of(service, bulkheadConfig(maxConcurrentCalls));
    return this;
  }

  static BulkheadConfig bulkheadConfig(int maxConcurrentCalls) {
    if (maxConcurrentCalls <= 0) {
      throw new IllegalArgumentException(
          "max-concurrent-calls: " + maxConcurrentCalls + " (expected: > 0)");
    }
    return BulkheadConfig.custom()
        .maxConcurrentCalls(maxConcurrentCalls)
        .maxWaitDuration(Duration.ZERO)
        .build();
  }

  ClientGuard timeLimiter(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("time-limiter.timeout: " + timeout + " (expected: > 0)");
    }
    timeLimiter =
        TimeLimiter.of(
            service,
            TimeLimiterConfig.custom().timeoutDuration(timeout).cancelRunningFuture(true).build());
    return this;
  }

  ClientGuard fallback(Fallback fallback) {
    this.fallback = fallback;
    return this;
  }

  ClientGuard cache(int maxEntries) {
    this.cache = new ResponseCache(maxEntries);
    return this;
  }

  /** The breaker's state, if this guard has a breaker. */
  @Nullable BreakerState state() {
    if (breaker == null) {
      return null;
    }
    switch (breaker.getState()) {
      case OPEN:
      case FORCED_OPEN:
        return BreakerState.OPEN;
      case HALF_OPEN:
        return BreakerState.HALF_OPEN;
      default:
        return BreakerState.CLOSED;
    }
  }

  /** One call through every part of the guard. */
  public Flux<Object> call(CallFunction next, Call call, Flux<Object> requests) {
    boolean unary = call.kind() == CallKind.UNARY;
    if (cache != null && unary) {
      ResponseCache responses = cache;
      return requests
          .next()
          .flatMapMany(
              request ->
                  responses.remember(call, request, guarded(next, call, Flux.just(request))));
    }
    return withFallback(guarded(next, call, requests), call);
  }

  private Flux<Object> guarded(CallFunction next, Call call, Flux<Object> requests) {
    boolean repeatable =
        retry != null
            && call.idempotent()
            && (call.kind() == CallKind.UNARY || call.kind() == CallKind.FIRE_AND_FORGET);
    if (!repeatable) {
      return attempt(next, call, requests);
    }
    if (call.timeout().isZero()) {
      return Flux.defer(() -> attempt(next, call, requests))
          .transformDeferred(RetryOperator.of(retry));
    }
    // every attempt and every wait between them fit in the call's one deadline
    return Flux.defer(
        () -> {
          long deadline = System.nanoTime() + call.timeout().toNanos();
          return Flux.defer(
                  () -> {
                    long left = deadline - System.nanoTime();
                    return left <= 0
                        ? Flux.<Object>error(deadlineExceeded(call))
                        : attempt(next, call.withTimeout(Duration.ofNanos(left)), requests);
                  })
              .transformDeferred(RetryOperator.of(retry))
              .timeout(call.timeout())
              .onErrorMap(TimeoutException.class, e -> deadlineExceeded(call));
        });
  }

  private Flux<Object> attempt(CallFunction next, Call call, Flux<Object> requests) {
    Flux<Object> responses = Flux.defer(() -> next.apply(call, requests));
    if (timeLimiter != null) {
      TimeLimiter limiter = timeLimiter;
      responses =
          responses
              .transformDeferred(TimeLimiterOperator.of(limiter))
              .onErrorMap(
                  TimeoutException.class,
                  e ->
                      VireoException.of(
                          Status.DEADLINE_EXCEEDED,
                          "time limit of %d ms for calls to %s passed (time-limiter.timeout)",
                          limiter.getTimeLimiterConfig().getTimeoutDuration().toMillis(),
                          service));
    }
    if (bulkhead != null) {
      Bulkhead limiter = bulkhead;
      responses =
          responses
              .transformDeferred(BulkheadOperator.of(limiter))
              .onErrorMap(
                  BulkheadFullException.class,
                  e ->
                      VireoException.of(
                          Status.RESOURCE_EXHAUSTED,
                          "bulkhead for %s is full: %d calls in flight (bulkhead.max-concurrent-calls)",
                          service,
                          limiter.getBulkheadConfig().getMaxConcurrentCalls()));
    }
    if (breaker != null) {
      responses =
          responses
              .transformDeferred(CircuitBreakerOperator.of(breaker))
              .onErrorMap(CallNotPermittedException.class, e -> new Errors.BreakerOpen(service, e));
    }
    return responses;
  }

  private Flux<Object> withFallback(Flux<Object> responses, Call call) {
    if (fallback == null) {
      return responses;
    }
    Fallback answer = fallback;
    return responses.onErrorResume(
        Errors::fallsBack,
        error -> Flux.from(answer.apply(call, VireoException.from(error))).cast(Object.class));
  }

  private static VireoException deadlineExceeded(Call call) {
    return VireoException.of(
        Status.DEADLINE_EXCEEDED,
        "call to %s %s: no answer within %d ms, retries included",
        call.service(),
        call.route(),
        call.timeout().toMillis());
  }

  /**
   * The last good responses per route and request, served when a call fails as a fallback would.
   */
  final class ResponseCache {
    private final Map<Key, List<Object>> entries;

    private record Key(Route route, Object request) {}

    ResponseCache(int maxEntries) {
      if (maxEntries <= 0) {
        throw new IllegalArgumentException(
            "fallback.cache-size: " + maxEntries + " (expected: > 0)");
      }
      this.entries =
          Collections.synchronizedMap(
              new LinkedHashMap<>(16, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<Key, List<Object>> eldest) {
                  return size() > maxEntries;
                }
              });
    }

    Flux<Object> remember(Call call, Object request, Flux<Object> responses) {
      Key key = new Key(call.route(), request);
      return responses
          .collectList()
          .doOnNext(list -> entries.put(key, List.copyOf(list)))
          .flatMapMany(Flux::fromIterable)
          .onErrorResume(
              Errors::fallsBack,
              error -> {
                List<Object> last = entries.get(key);
                if (last != null) {
                  return Flux.fromIterable(last);
                }
                return withFallback(Flux.error(error), call);
              });
    }
  }
}
