package io.vireo.resilience;

import io.vireo.wrapper.Wrapper;
import java.util.Optional;

/** A client wrapper with one circuit breaker per target service, whose states can be read. */
public interface CircuitBreakerWrapper extends Wrapper {
  /** The state of the breaker for calls to {@code service}; empty before the first call to it. */
  Optional<BreakerState> state(String service);
}
