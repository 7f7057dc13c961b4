package io.vireo.resilience;

import java.time.Duration;

/**
 * Retries of idempotent unary calls that failed with a retryable status (UNAVAILABLE), up to {@code
 * maxAttempts} attempts in all, waiting an exponential backoff ({@code initialBackoff} × {@code
 * multiplier}^n, at most {@code maxBackoff}) with random jitter of ± {@code jitter} (a fraction,
 * 0..1) between attempts; never past the call's deadline.
 *
 * <pre>{@code
 * RetryPolicy.defaults().maxAttempts(4).initialBackoff(Duration.ofMillis(50))
 * }</pre>
 */
public record RetryPolicy(
    int maxAttempts,
    Duration initialBackoff,
    double multiplier,
    Duration maxBackoff,
    double jitter) {
  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);
  public static final double DEFAULT_MULTIPLIER = 2;
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(2);
  public static final double DEFAULT_JITTER = 0.5;

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("max-attempts: " + maxAttempts + " (expected: >= 1)");
    }
    if (initialBackoff.isNegative() || initialBackoff.isZero()) {
      throw new IllegalArgumentException("initial-backoff: " + initialBackoff + " (expected: > 0)");
    }
    if (!(multiplier >= 1)) {
      throw new IllegalArgumentException("multiplier: " + multiplier + " (expected: >= 1)");
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "max-backoff: " + maxBackoff + " (expected: >= initial-backoff " + initialBackoff + ")");
    }
    if (!(jitter >= 0 && jitter < 1)) {
      throw new IllegalArgumentException("jitter: " + jitter + " (expected: >= 0 and < 1)");
    }
  }

  /** 3 attempts, 100 ms doubling to at most 2 s, jitter 0.5. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(
        DEFAULT_MAX_ATTEMPTS,
        DEFAULT_INITIAL_BACKOFF,
        DEFAULT_MULTIPLIER,
        DEFAULT_MAX_BACKOFF,
        DEFAULT_JITTER);
  }

  public RetryPolicy maxAttempts(int attempts) {
    return new RetryPolicy(attempts, initialBackoff, multiplier, maxBackoff, jitter);
  }

  /** The first wait; the maximum follows it up when it is larger. */
  public RetryPolicy initialBackoff(Duration backoff) {
    return new RetryPolicy(
        maxAttempts,
        backoff,
        multiplier,
        maxBackoff.compareTo(backoff) < 0 ? backoff : maxBackoff,
        jitter);
  }

  public RetryPolicy multiplier(double factor) {
    return new RetryPolicy(maxAttempts, initialBackoff, factor, maxBackoff, jitter);
  }

  public RetryPolicy maxBackoff(Duration backoff) {
    return new RetryPolicy(maxAttempts, initialBackoff, multiplier, backoff, jitter);
  }

  public RetryPolicy jitter(double fraction) {
    return new RetryPolicy(maxAttempts, initialBackoff, multiplier, maxBackoff, fraction);
  }
}
