package io.vireo.resilience;

import java.time.Duration;

/**
 * A token bucket for a served endpoint: {@code limitForPeriod} calls per {@code
 * limitRefreshPeriod}; calls past it fail at once with RESOURCE_EXHAUSTED. With {@code perCaller},
 * each calling service (header {@code vireo-caller}) has its own bucket.
 */
public record RateLimitPolicy(int limitForPeriod, Duration limitRefreshPeriod, boolean perCaller) {
  public RateLimitPolicy {
    if (limitForPeriod <= 0) {
      throw new IllegalArgumentException(
          "limit-for-period: " + limitForPeriod + " (expected: > 0)");
    }
    if (limitRefreshPeriod.isNegative() || limitRefreshPeriod.isZero()) {
      throw new IllegalArgumentException(
          "limit-refresh-period: " + limitRefreshPeriod + " (expected: > 0)");
    }
  }

  /** {@code limit} calls per {@code period}, shared by all callers. */
  public static RateLimitPolicy of(int limit, Duration period) {
    return new RateLimitPolicy(limit, period, false);
  }

  public RateLimitPolicy perCaller(boolean perCaller) {
    return new RateLimitPolicy(limitForPeriod, limitRefreshPeriod, perCaller);
  }
}
