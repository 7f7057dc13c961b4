package io.vireo.broker;

import io.vireo.Status;
import io.vireo.VireoException;
import java.time.Duration;

/**
 * When a broker delivers a failed message again, and after how long: the one rule every broker
 * follows. A handler's error is retried {@link SubscribeOptions#maxRetries()} times, the wait
 * starting at {@link SubscribeOptions#retryBackoff()} and doubling each retry up to {@link
 * #MAX_BACKOFF}; an {@link Status#INVALID_ARGUMENT} error (a message that cannot be decoded) is
 * final at once. After the last retry the message goes to the dead-letter topic (with {@link
 * DeadLetterHeaders}) when {@link SubscribeOptions#deadLetter()} is on.
 *
 * <pre>{@code
 * RedeliveryPolicy policy = RedeliveryPolicy.of(options);
 * if (policy.retries(error, redelivery)) {
 *   return Mono.delay(policy.backoff(redelivery)).then(deliverAgain(redelivery + 1));
 * }
 * }</pre>
 */
public final class RedeliveryPolicy {
  /** The longest wait between two deliveries of one message. */
  public static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final Duration firstBackoff;
  private final int maxRetries;
  private final boolean deadLetter;

  private RedeliveryPolicy(Duration firstBackoff, int maxRetries, boolean deadLetter) {
    this.firstBackoff = firstBackoff;
    this.maxRetries = maxRetries;
    this.deadLetter = deadLetter;
  }

  /** The policy of a subscription with {@code options}. */
  public static RedeliveryPolicy of(SubscribeOptions options) {
    return new RedeliveryPolicy(options.retryBackoff(), options.maxRetries(), options.deadLetter());
  }

  /**
   * Whether a message that failed with {@code error} on its delivery number {@code redelivery} (0:
   * the first delivery) is delivered again.
   */
  public boolean retries(VireoException error, int redelivery) {
    return error.status() != Status.INVALID_ARGUMENT && redelivery < maxRetries;
  }

  /** The wait before delivering again a message whose delivery number {@code redelivery} failed. */
  public Duration backoff(int redelivery) {
    if (redelivery < 0) {
      throw new IllegalArgumentException("redelivery: " + redelivery + " (expected: >= 0)");
    }
    Duration backoff = firstBackoff;
    for (int i = 0; i < redelivery && backoff.compareTo(MAX_BACKOFF) < 0; i++) {
      backoff = backoff.multipliedBy(2);
    }
    return backoff.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff;
  }

  /** Whether a message that failed for good goes to {@code <topic>.DLT} (else it is dropped). */
  public boolean deadLetter() {
    return deadLetter;
  }
}
