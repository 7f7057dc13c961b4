package io.vireo.resilience;

/** A circuit breaker's state. */
public enum BreakerState {
  /** Calls go through; failures are counted. */
  CLOSED,
  /** Calls fail at once with UNAVAILABLE until the wait in the open state has passed. */
  OPEN,
  /** A few trial calls go through; their outcome closes or opens the breaker again. */
  HALF_OPEN
}
