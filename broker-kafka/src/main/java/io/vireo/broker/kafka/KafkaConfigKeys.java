package io.vireo.broker.kafka;

import io.vireo.config.Config;
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

  /** Reads every {@code vireo.broker.kafka.*} key that {@code config} has into {@code builder}. */
  static void read(Config config, KafkaBroker.Builder builder) {
    config
        .get(key("bootstrap-servers"))
        .ifPresent(value -> builder.bootstrapServers(nonEmpty(key("bootstrap-servers"), value)));
    config
        .get(key("client-id"))
        .ifPresent(value -> builder.clientId(nonEmpty(key("client-id"), value)));
    builder.autoCreateTopics(
        config.getBoolean(key("auto-create-topics"), builder.autoCreateTopics));
    builder.topicPartitions =
        atLeast(
            key("topic-partitions"),
            config.getInt(key("topic-partitions"), builder.topicPartitions),
            1);
    int replication =
        config.getInt(key("topic-replication-factor"), builder.topicReplicationFactor);
    if (replication == 0 || replication < -1 || replication > Short.MAX_VALUE) {
      throw new IllegalArgumentException(
          key("topic-replication-factor")
              + ": "
              + replication
              + " (expected: >= 1, or -1 for the broker's default)");
    }
    builder.topicReplicationFactor = (short) replication;
    builder.publishTimeout =
        positive(
            key("publish-timeout"),
            config.getDuration(key("publish-timeout"), builder.publishTimeout));
    builder.subscribeTimeout =
        positive(
            key("subscribe-timeout"),
            config.getDuration(key("subscribe-timeout"), builder.subscribeTimeout));
    builder.shutdownTimeout =
        positive(
            key("shutdown-timeout"),
            config.getDuration(key("shutdown-timeout"), builder.shutdownTimeout));
    builder.pollTimeout =
        positive(key("poll-timeout"), config.getDuration(key("poll-timeout"), builder.pollTimeout));
    builder.commitInterval =
        notNegative(
            key("commit-interval"),
            config.getDuration(key("commit-interval"), builder.commitInterval));
    builder.maxPendingPerPartition =
        atLeast(
            key("max-pending-per-partition"),
            config.getInt(key("max-pending-per-partition"), builder.maxPendingPerPartition),
            1);
    builder.retryBackoff =
        notNegative(
            key("retry-backoff"), config.getDuration(key("retry-backoff"), builder.retryBackoff));
    builder.reconnectBackoff =
        notNegative(
            key("reconnect-backoff"),
            config.getDuration(key("reconnect-backoff"), builder.reconnectBackoff));
    builder.reconnectBackoffMax =
        notNegative(
            key("reconnect-backoff-max"),
            config.getDuration(key("reconnect-backoff-max"), builder.reconnectBackoffMax));
    builder.producer.putAll(config.subset(key("producer")));
    builder.consumer.putAll(config.subset(key("consumer")));
    builder.admin.putAll(config.subset(key("admin")));
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
