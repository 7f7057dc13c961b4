package io.vireo.transport;

import io.vireo.config.Config;
import io.vireo.config.Values;
import java.time.Duration;

/**
 * The per-connection limits every server transport enforces, with one set of keys and one
 * validation: {@code vireo.server.max-concurrent-streams} and {@code vireo.server.idle-timeout}.
 * Each transport applies them its own way (see its README); both are off by default.
 */
public final class ServerLimits {
  /** Calls one connection may have open at once. */
  public static final String MAX_CONCURRENT_STREAMS_KEY = "vireo.server.max-concurrent-streams";

  /** How long a connection with no call open is kept. */
  public static final String IDLE_TIMEOUT_KEY = "vireo.server.idle-timeout";

  /** No limit on concurrent calls per connection. */
  public static final int UNLIMITED_STREAMS = Integer.MAX_VALUE;

  /** Idle connections are never closed. */
  public static final Duration NO_IDLE_TIMEOUT = Duration.ZERO;

  private ServerLimits() {}

  public static int maxConcurrentStreams(Config config) {
    return checkMaxConcurrentStreams(config.getInt(MAX_CONCURRENT_STREAMS_KEY, UNLIMITED_STREAMS));
  }

  public static Duration idleTimeout(Config config) {
    return checkIdleTimeout(config.getDuration(IDLE_TIMEOUT_KEY, NO_IDLE_TIMEOUT));
  }

  public static int checkMaxConcurrentStreams(int streams) {
    if (streams <= 0) {
      throw new IllegalArgumentException(
          MAX_CONCURRENT_STREAMS_KEY + ": " + streams + " (expected: > 0)");
    }
    return streams;
  }

  public static Duration checkIdleTimeout(Duration timeout) {
    if (timeout.isNegative()) {
      throw new IllegalArgumentException(
          IDLE_TIMEOUT_KEY + ": " + Values.format(timeout) + " (expected: >= 0, 0 = no timeout)");
    }
    return timeout;
  }
}
