/**
 * Resilience wrappers: circuit breaker, retry with backoff, bulkhead, time limiter and fallback
 * around client calls; rate and concurrency limits around served endpoints. Built on resilience4j;
 * set up from configuration or with {@link io.vireo.resilience.Resilience}.
 */
@NullMarked
package io.vireo.resilience;

import org.jspecify.annotations.NullMarked;
