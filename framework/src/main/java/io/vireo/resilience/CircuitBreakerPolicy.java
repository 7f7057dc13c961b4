package io.vireo.resilience;

import java.time.Duration;

/**
 * How a circuit breaker trips: over the last {@code slidingWindowSize} calls (once at least {@code
 * minimumNumberOfCalls} were made), a failure rate at or above {@code failureRateThreshold} percent
 * opens it; after {@code waitDurationInOpenState} it lets {@code permittedCallsInHalfOpenState}
 * trial calls through, which close or open it again. Failures are the statuses UNAVAILABLE,
 * INTERNAL, UNKNOWN and DEADLINE_EXCEEDED.
 *
 * <pre>{@code
 * CircuitBreakerPolicy.defaults().failureRateThreshold(50).waitDurationInOpenState(Duration.ofSeconds(10))
 * }</pre>
 */
public record CircuitBreakerPolicy(
    float failureRateThreshold,
    int slidingWindowSize,
    int minimumNumberOfCalls,
    Duration waitDurationInOpenState,
    int permittedCallsInHalfOpenState) {
  public static final float DEFAULT_FAILURE_RATE_THRESHOLD = 50;
  public static final int DEFAULT_SLIDING_WINDOW_SIZE = 100;
  public static final int DEFAULT_MINIMUM_NUMBER_OF_CALLS = 100;
  public static final Duration DEFAULT_WAIT_DURATION_IN_OPEN_STATE = Duration.ofSeconds(60);
  public static final int DEFAULT_PERMITTED_CALLS_IN_HALF_OPEN_STATE = 10;

  public CircuitBreakerPolicy {
    if (!(failureRateThreshold > 0 && failureRateThreshold <= 100)) {
      throw new IllegalArgumentException(
          "failure-rate-threshold: "
              + failureRateThreshold
              + " (expected: > 0 and <= 100, a percent)");
    }
    if (slidingWindowSize <= 0) {
      throw new IllegalArgumentException(
          "sliding-window-size: " + slidingWindowSize + " (expected: > 0)");
    }
    if (minimumNumberOfCalls <= 0) {
      throw new IllegalArgumentException(
          "minimum-number-of-calls: " + minimumNumberOfCalls + " (expected: > 0)");
    }
    if (waitDurationInOpenState.isNegative() || waitDurationInOpenState.isZero()) {
      throw new IllegalArgumentException(
          "wait-duration-in-open-state: " + waitDurationInOpenState + " (expected: > 0)");
    }
    if (permittedCallsInHalfOpenState <= 0) {
      throw new IllegalArgumentException(
          "permitted-calls-in-half-open-state: "
              + permittedCallsInHalfOpenState
              + " (expected: > 0)");
    }
  }

  /** resilience4j's defaults: 50%, window 100, minimum 100, open 60 s, 10 trial calls. */
  public static CircuitBreakerPolicy defaults() {
    return new CircuitBreakerPolicy(
        DEFAULT_FAILURE_RATE_THRESHOLD,
        DEFAULT_SLIDING_WINDOW_SIZE,
        DEFAULT_MINIMUM_NUMBER_OF_CALLS,
        DEFAULT_WAIT_DURATION_IN_OPEN_STATE,
        DEFAULT_PERMITTED_CALLS_IN_HALF_OPEN_STATE);
  }

  public CircuitBreakerPolicy failureRateThreshold(float percent) {
    return new CircuitBreakerPolicy(
        percent,
        slidingWindowSize,
        minimumNumberOfCalls,
        waitDurationInOpenState,
        permittedCallsInHalfOpenState);
  }

  /** The window; the minimum number of calls follows it down when it is smaller. */
  public CircuitBreakerPolicy slidingWindowSize(int calls) {
    return new CircuitBreakerPolicy(
        failureRateThreshold,
        calls,
        Math.min(minimumNumberOfCalls, calls),
        waitDurationInOpenState,
        permittedCallsInHalfOpenState);
  }

  public CircuitBreakerPolicy minimumNumberOfCalls(int calls) {
    return new CircuitBreakerPolicy(
        failureRateThreshold,
        slidingWindowSize,
        calls,
        waitDurationInOpenState,
        permittedCallsInHalfOpenState);
  }

  public CircuitBreakerPolicy waitDurationInOpenState(Duration wait) {
    return new CircuitBreakerPolicy(
        failureRateThreshold,
        slidingWindowSize,
        minimumNumberOfCalls,
        wait,
        permittedCallsInHalfOpenState);
  }

  public CircuitBreakerPolicy permittedCallsInHalfOpenState(int calls) {
    return new CircuitBreakerPolicy(
        failureRateThreshold,
        slidingWindowSize,
        minimumNumberOfCalls,
        waitDurationInOpenState,
        calls);
  }
}
