package io.vireo.broker.kafka;

import io.vireo.config.spi.ConfigKeysProvider;
import java.time.Duration;
import java.util.Set;

/** The {@code vireo.*} keys this module reads, so that a misspelt one is warned about at start. */
public final class KafkaConfigKeys implements ConfigKeysProvider {
  @Override
  public Set<String> keys() {
    return Set.of(
        "vireo.broker.kafka.bootstrap-servers",
        "vireo.broker.kafka.client-id",
        "vireo.broker.kafka.auto-create-topics",
        "vireo.broker.kafka.topic-partitions",
        "vireo.broker.kafka.topic-replication-factor",
        "vireo.broker.kafka.publish-timeout",
        "vireo.broker.kafka.subscribe-timeout",
        "vireo.broker.kafka.shutdown-timeout",
        "vireo.broker.kafka.poll-timeout",
        "vireo.broker.kafka.commit-interval",
        "vireo.broker.kafka.max-pending-per-partition",
        "vireo.broker.kafka.retry-backoff",
        "vireo.broker.kafka.reconnect-backoff",
        "vireo.broker.kafka.reconnect-backoff-max",
        "vireo.broker.kafka.producer.**",
        "vireo.broker.kafka.consumer.**",
        "vireo.broker.kafka.admin.**");
  }

  // the Builder's checks of what it is given, by key or method name

  static String key(String name) {
    return KafkaBroker.PREFIX + "." + name;
  }

  static String nonEmpty(String name, String value) {
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + ": empty (expected: a value)");
    }
    return value;
  }

  static int atLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: >= " + min + ")");
    }
    return value;
  }

  static Duration positive(String name, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
    }
    return value;
  }

  static Duration notNegative(String name, Duration value) {
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0)");
    }
    return value;
  }
}
