package io.vireo.resilience;

import io.vireo.Call;
import io.vireo.VireoException;
import org.reactivestreams.Publisher;

/**
 * What a client call answers instead when it failed with UNAVAILABLE (which includes an open
 * circuit breaker) or DEADLINE_EXCEEDED.
 *
 * <pre>{@code
 * Resilience.fallback((call, error) -> Mono.just(new HelloReply("Hello, whoever you are")))
 * }</pre>
 */
@FunctionalInterface
public interface Fallback {
  /** The responses to give in place of the failed call's; an error signal to fail after all. */
  Publisher<?> apply(Call call, VireoException error);
}
