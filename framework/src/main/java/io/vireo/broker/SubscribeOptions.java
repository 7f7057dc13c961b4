package io.vireo.broker;

import java.time.Duration;
import java.util.Optional;

/**
 * How a subscription consumes: its queue group, broadcast, concurrency, retries and dead letters.
 * Made with {@link #builder()}.
 *
 * @param group the queue group; empty: the subscribing service's name
 * @param broadcast every instance gets every message (a group of its own per instance)
 * @param concurrency handlers running at once (messages of one key stay in order)
 * @param maxRetries deliveries after the first before a message goes to the dead-letter topic
 * @param retryBackoff wait before the first retry, doubling each retry up to {@link
 *     RedeliveryPolicy#MAX_BACKOFF} (the same on every broker)
 * @param deadLetter whether a message that failed every retry goes to {@code <topic>.DLT}
 */
public record SubscribeOptions(
    Optional<String> group,
    boolean broadcast,
    int concurrency,
    int maxRetries,
    Duration retryBackoff,
    boolean deadLetter) {

  public static final int DEFAULT_CONCURRENCY = 1;
  public static final int DEFAULT_MAX_RETRIES = 3;
  public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(100);

  public SubscribeOptions {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency: " + concurrency + " (expected: >= 1)");
    }
    if (maxRetries < 0) {
      throw new IllegalArgumentException("maxRetries: " + maxRetries + " (expected: >= 0)");
    }
    if (retryBackoff.isNegative()) {
      throw new IllegalArgumentException("retryBackoff: " + retryBackoff + " (expected: >= 0)");
    }
  }

  public static SubscribeOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A copy in queue group {@code group}. */
  public SubscribeOptions withGroup(String group) {
    return new SubscribeOptions(
        Optional.of(group), broadcast, concurrency, maxRetries, retryBackoff, deadLetter);
  }

  public static final class Builder {
    private Optional<String> group = Optional.empty();
    private boolean broadcast;
    private int concurrency = DEFAULT_CONCURRENCY;
    private int maxRetries = DEFAULT_MAX_RETRIES;
    private Duration retryBackoff = DEFAULT_RETRY_BACKOFF;
    private boolean deadLetter = true;

    Builder() {}

    public Builder group(String group) {
      if (group.isEmpty()) {
        throw new IllegalArgumentException("group: empty (expected: a queue group name)");
      }
      this.group = Optional.of(group);
      return this;
    }

    public Builder broadcast(boolean broadcast) {
      this.broadcast = broadcast;
      return this;
    }

    public Builder concurrency(int concurrency) {
      this.concurrency = concurrency;
      return this;
    }

    public Builder maxRetries(int maxRetries) {
      this.maxRetries = maxRetries;
      return this;
    }

    public Builder retryBackoff(Duration retryBackoff) {
      this.retryBackoff = retryBackoff;
      return this;
    }

    public Builder deadLetter(boolean deadLetter) {
      this.deadLetter = deadLetter;
      return this;
    }

    public SubscribeOptions build() {
      return new SubscribeOptions(
          group, broadcast, concurrency, maxRetries, retryBackoff, deadLetter);
    }
  }
}
