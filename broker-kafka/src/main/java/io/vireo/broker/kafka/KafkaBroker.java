package io.vireo.broker.kafka;

import static io.vireo.broker.kafka.KafkaConfigKeys.atLeast;
import static io.vireo.broker.kafka.KafkaConfigKeys.nonEmpty;
import static io.vireo.broker.kafka.KafkaConfigKeys.notNegative;
import static io.vireo.broker.kafka.KafkaConfigKeys.positive;

import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.broker.Broker;
import io.vireo.broker.Message;
import io.vireo.broker.MessageHandler;
import io.vireo.broker.SubscribeOptions;
import io.vireo.broker.Subscription;
import io.vireo.config.Config;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A {@link Broker} on Apache Kafka, through kafka-clients.
 *
 * <pre>{@code
 * Broker broker = KafkaBroker.builder()
 *     .bootstrapServers("127.0.0.1:9092")
 *     .publishTimeout(Duration.ofSeconds(5))
 *     .build();
 * broker.subscribe("user.created", SubscribeOptions.builder().group("audit").concurrency(4).build(),
 *         message -> audit.record(message))
 *     .block();
 * broker.publish(new Message("user.created", Optional.of(userId), headers, bytes)).block();
 * }</pre>
 *
 * <p>Publishing completes when Kafka acknowledged the record (acks=all, idempotent producer).
 * {@code KafkaProducer.send} blocks while it waits for a topic's metadata or for room in its
 * buffer, so a publish calls it on the caller's thread only when neither can happen: the topic was
 * acknowledged recently (its metadata is cached), its last send did not fail, the records sent and
 * not yet acknowledged use less than half of the producer's buffer and at least half of its buffer
 * pool is free (the pool lends a whole batch to each partition being written), and no earlier send
 * waits on the broker's sender thread (so one caller's records keep their order). Every other send
 * runs on that one dedicated thread. A publish that is not acknowledged within the publish timeout
 * fails with UNAVAILABLE: the producer's {@code delivery.timeout.ms} bounds it, or a timer where
 * the producer's settings allow longer.
 *
 * <p>Each subscription is a consumer of its own, polled by its own thread; its queue group is the
 * Kafka consumer group, and a broadcast subscription gets a group of its own. Handlers run on
 * Reactor's bounded-elastic scheduler, at most {@code concurrency} at once, the records of one key
 * one after the other. An offset is committed once its record and every earlier record of its
 * partition are handled (at-least-once). See the module's README for the configuration keys, the
 * delivery guarantees and the dead-letter format.
 */
public final class KafkaBroker implements Broker {
  /** The prefix of this broker's configuration keys. */
  public static final String PREFIX = "vireo.broker.kafka";

  public static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:9092";
  public static final String DEFAULT_CLIENT_ID = "vireo";
  public static final boolean DEFAULT_AUTO_CREATE_TOPICS = true;
  public static final int DEFAULT_TOPIC_PARTITIONS = 3;

  /** The broker's own {@code default.replication.factor}. */
  public static final short DEFAULT_TOPIC_REPLICATION_FACTOR = -1;

  public static final Duration DEFAULT_PUBLISH_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_SUBSCRIBE_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(100);
  public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(200);

  /**
   * Ten fetches' worth of 1 KB records ({@code max.partition.fetch.bytes} is 1 MiB): at one fetch's
   * worth a partition paused after nearly every fetch and then waited a fetch round trip when it
   * resumed, which cost subscriptions 10-30% of their rate (benchmarks/README.md, session 12).
   */
  public static final int DEFAULT_MAX_PENDING_PER_PARTITION = 10_000;

  public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(100);
  public static final Duration DEFAULT_RECONNECT_BACKOFF = Duration.ofMillis(50);
  public static final Duration DEFAULT_RECONNECT_BACKOFF_MAX = Duration.ofSeconds(1);

  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private final Builder settings;
  private final KafkaClients clients;
  private final KafkaTopics topics;
  private final KafkaPublisher publisher;
  private final KafkaSubscriptions subscriptions;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Mono<Void> closing;

  private KafkaBroker(Builder settings) {
    this.settings = settings.copy();
    int id = SEQUENCE.incrementAndGet();
    this.clients = new KafkaClients(this.settings, id);
    Map<String, Object> producerProperties = clients.producer();
    Producer<byte[], byte[]> producer;
    try {
      producer = new KafkaProducer<>(producerProperties);
      this.topics = new KafkaTopics(Admin.create(clients.admin()), this.settings);
    } catch (KafkaException e) {
      throw new IllegalArgumentException(
          PREFIX + ": " + e.getMessage() + " (expected: valid Kafka client settings)", e);
    }
    this.publisher = new KafkaPublisher(producer, producerProperties, topics, this.settings, id);
    this.subscriptions =
        new KafkaSubscriptions(this.settings, clients, topics, publisher, closed::get);
    this.closing = Mono.defer(this::closeNow).cache();
  }

  /** A broker configured from the {@code vireo.broker.kafka.*} keys of {@code config}. */
  public static KafkaBroker of(Config config) {
    return builder().config(config).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Mono<Void> publish(Message message) {
    return whileOpen("publish to", message.topic(), () -> publisher.publishNow(message));
  }

  @Override
  public Mono<Subscription> subscribe(
      String topic, SubscribeOptions options, MessageHandler handler) {
    return whileOpen("subscribe to", topic, () -> subscriptions.subscribe(topic, options, handler));
  }

  /** {@code what} and {@code topic} make the message only when it is needed (not per publish). */
  private <T> Mono<T> whileOpen(String what, String topic, Supplier<Mono<T>> action) {
    return Mono.defer(
        () ->
            closed.get()
                ? Mono.error(
                    VireoException.of(
                        Status.FAILED_PRECONDITION,
                        "%s %s: the Kafka broker is closed",
                        what,
                        topic))
                : action.get());
  }

  @Override
  public Mono<Void> close() {
    return closing;
  }

  private Mono<Void> closeNow() {
    closed.set(true);
    return subscriptions
        .closeAll()
        .then(
            Mono.<Void>fromRunnable(
                    () -> {
                      publisher.close(settings.shutdownTimeout);
                      topics.close(settings.shutdownTimeout);
                    })
                .subscribeOn(Schedulers.boundedElastic()));
  }

  /**
   * Whether Kafka's cluster metadata can be fetched now: the cached answer of an Admin {@code
   * describeCluster}, asked again at most every 2 s on the Admin client's own thread; false once
   * the broker is closed.
   */
  @Override
  public Mono<Boolean> reachable() {
    return closed.get() ? Mono.just(false) : topics.reachable();
  }

  @Override
  public String toString() {
    return "KafkaBroker{" + settings.bootstrapServers + "}";
  }

  /** Builds a {@link KafkaBroker}; every setting is also a {@code vireo.broker.kafka.*} key. */
  public static final class Builder {
    // package-private: the broker's parts read the copy the broker keeps
    String bootstrapServers = DEFAULT_BOOTSTRAP_SERVERS;
    String clientId = DEFAULT_CLIENT_ID;
    boolean autoCreateTopics = DEFAULT_AUTO_CREATE_TOPICS;
    int topicPartitions = DEFAULT_TOPIC_PARTITIONS;
    short topicReplicationFactor = DEFAULT_TOPIC_REPLICATION_FACTOR;
    Duration publishTimeout = DEFAULT_PUBLISH_TIMEOUT;
    Duration subscribeTimeout = DEFAULT_SUBSCRIBE_TIMEOUT;
    Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
    Duration pollTimeout = DEFAULT_POLL_TIMEOUT;
    Duration commitInterval = DEFAULT_COMMIT_INTERVAL;
    int maxPendingPerPartition = DEFAULT_MAX_PENDING_PER_PARTITION;
    Duration retryBackoff = DEFAULT_RETRY_BACKOFF;
    Duration reconnectBackoff = DEFAULT_RECONNECT_BACKOFF;
    Duration reconnectBackoffMax = DEFAULT_RECONNECT_BACKOFF_MAX;
    final Map<String, String> producer = new LinkedHashMap<>();
    final Map<String, String> consumer = new LinkedHashMap<>();
    final Map<String, String> admin = new LinkedHashMap<>();

    Builder() {}

    /** Reads every {@code vireo.broker.kafka.*} key that {@code config} has. */
    public Builder config(Config config) {
      KafkaConfigKeys.read(config, this);
      return this;
    }

    /**
     * {@code host:port,...} of the Kafka brokers to start from (default {@value
     * KafkaBroker#DEFAULT_BOOTSTRAP_SERVERS}).
     */
    public Builder bootstrapServers(String bootstrapServers) {
      this.bootstrapServers = nonEmpty("bootstrapServers", bootstrapServers);
      return this;
    }

    /** The prefix of the Kafka clients' {@code client.id}s. */
    public Builder clientId(String clientId) {
      this.clientId = nonEmpty("clientId", clientId);
      return this;
    }

    /** Whether topics (and dead-letter topics) are created on first use with an AdminClient. */
    public Builder autoCreateTopics(boolean autoCreateTopics) {
      this.autoCreateTopics = autoCreateTopics;
      return this;
    }

    /** Partitions of a created topic. */
    public Builder topicPartitions(int topicPartitions) {
      this.topicPartitions = atLeast("topicPartitions", topicPartitions, 1);
      return this;
    }

    /**
     * Replication factor of a created topic; -1 for the broker's {@code
     * default.replication.factor}.
     */
    public Builder topicReplicationFactor(int topicReplicationFactor) {
      if (topicReplicationFactor == 0
          || topicReplicationFactor < -1
          || topicReplicationFactor > Short.MAX_VALUE) {
        throw new IllegalArgumentException(
            "topicReplicationFactor: "
                + topicReplicationFactor
                + " (expected: >= 1, or -1 for the broker's default)");
      }
      this.topicReplicationFactor = (short) topicReplicationFactor;
      return this;
    }

    /** How long a publish may wait for Kafka's acknowledgement before it fails with UNAVAILABLE. */
    public Builder publishTimeout(Duration publishTimeout) {
      this.publishTimeout = positive("publishTimeout", publishTimeout);
      return this;
    }

    /**
     * How long {@code subscribe} waits for the first partition assignment (the subscription goes on
     * trying).
     */
    public Builder subscribeTimeout(Duration subscribeTimeout) {
      this.subscribeTimeout = positive("subscribeTimeout", subscribeTimeout);
      return this;
    }

    /** How long a closing subscription waits for its running handlers. */
    public Builder shutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = positive("shutdownTimeout", shutdownTimeout);
      return this;
    }

    /** The longest one {@code poll} waits; also how soon a subscription notices it is closed. */
    public Builder pollTimeout(Duration pollTimeout) {
      this.pollTimeout = positive("pollTimeout", pollTimeout);
      return this;
    }

    /** How often handled offsets are committed (asynchronously). */
    public Builder commitInterval(Duration commitInterval) {
      this.commitInterval = notNegative("commitInterval", commitInterval);
      return this;
    }

    /** Records of one partition taken and not yet acknowledged before the partition is paused. */
    public Builder maxPendingPerPartition(int maxPendingPerPartition) {
      this.maxPendingPerPartition = atLeast("maxPendingPerPartition", maxPendingPerPartition, 1);
      return this;
    }

    /** Kafka's {@code retry.backoff.ms}; also the pause after a failed poll or dead-letter send. */
    public Builder retryBackoff(Duration retryBackoff) {
      this.retryBackoff = notNegative("retryBackoff", retryBackoff);
      return this;
    }

    /** Kafka's {@code reconnect.backoff.ms}. */
    public Builder reconnectBackoff(Duration reconnectBackoff) {
      this.reconnectBackoff = notNegative("reconnectBackoff", reconnectBackoff);
      return this;
    }

    /** Kafka's {@code reconnect.backoff.max.ms}. */
    public Builder reconnectBackoffMax(Duration reconnectBackoffMax) {
      this.reconnectBackoffMax = notNegative("reconnectBackoffMax", reconnectBackoffMax);
      return this;
    }

    /** A KafkaProducer setting, over Vireo's ({@code vireo.broker.kafka.producer.<name>}). */
    public Builder producerProperty(String name, String value) {
      producer.put(nonEmpty("name", name), value);
      return this;
    }

    /** A KafkaConsumer setting, over Vireo's ({@code vireo.broker.kafka.consumer.<name>}). */
    public Builder consumerProperty(String name, String value) {
      consumer.put(nonEmpty("name", name), value);
      return this;
    }

    /** An Admin client setting ({@code vireo.broker.kafka.admin.<name>}). */
    public Builder adminProperty(String name, String value) {
      admin.put(nonEmpty("name", name), value);
      return this;
    }

    public KafkaBroker build() {
      return new KafkaBroker(this);
    }

    private Builder copy() {
      Builder copy = new Builder();
      copy.bootstrapServers = bootstrapServers;
      copy.clientId = clientId;
      copy.autoCreateTopics = autoCreateTopics;
      copy.topicPartitions = topicPartitions;
      copy.topicReplicationFactor = topicReplicationFactor;
      copy.publishTimeout = publishTimeout;
      copy.subscribeTimeout = subscribeTimeout;
      copy.shutdownTimeout = shutdownTimeout;
      copy.pollTimeout = pollTimeout;
      copy.commitInterval = commitInterval;
      copy.maxPendingPerPartition = maxPendingPerPartition;
      copy.retryBackoff = retryBackoff;
      copy.reconnectBackoff = reconnectBackoff;
      copy.reconnectBackoffMax = reconnectBackoffMax;
      copy.producer.putAll(producer);
      copy.consumer.putAll(consumer);
      copy.admin.putAll(admin);
      return copy;
    }
  }
}
