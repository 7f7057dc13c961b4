package io.vireo.broker.kafka;

import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.broker.Broker;
import io.vireo.broker.Message;
import io.vireo.broker.MessageHandler;
import io.vireo.broker.SubscribeOptions;
import io.vireo.broker.Subscription;
import io.vireo.config.Config;
import io.vireo.config.Values;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

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
 * buffer, so a publish calls it on the caller's thread only when neither can happen: the topic
 * was acknowledged recently (its metadata is cached), its last send did not fail, the records
 * sent and not yet acknowledged use less than half of the producer's buffer, and no earlier
 * send waits on the broker's sender thread (so one caller's records keep their order). Every
 * other send runs on that one dedicated thread. A publish that is not acknowledged within the
 * publish timeout fails with UNAVAILABLE: the producer's {@code delivery.timeout.ms} bounds it,
 * or a timer where the producer's settings allow longer.
 *
 * <p>Each subscription is a consumer of its own, polled by its own thread; its queue group is
 * the Kafka consumer group, and a broadcast subscription gets a group of its own. Handlers run
 * on Reactor's bounded-elastic scheduler, at most {@code concurrency} at once, the records of
 * one key one after the other. An offset is committed once its record and every earlier record
 * of its partition are handled (at-least-once). See the module's README for the configuration
 * keys, the delivery guarantees and the dead-letter format.
 */
public final class KafkaBroker implements Broker {
  private static final Logger logger = LoggerFactory.getLogger(KafkaBroker.class);

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
  public static final int DEFAULT_MAX_PENDING_PER_PARTITION = 1000;
  public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(100);
  public static final Duration DEFAULT_RECONNECT_BACKOFF = Duration.ofMillis(50);
  public static final Duration DEFAULT_RECONNECT_BACKOFF_MAX = Duration.ofSeconds(1);

  private static final Pattern LEGAL_TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private final Builder settings;
  private final Producer<byte[], byte[]> producer;
  private final Admin admin;
  private final ExecutorService sender;
  private final Map<String, TopicState> published = new ConcurrentHashMap<>();
  private final AtomicInteger waitingSends = new AtomicInteger();
  private final AtomicLong unacknowledgedBytes = new AtomicLong();
  private final long directSendBytes;
  private final long warmNanos;
  private final boolean producerTimesOut;
  private final Map<String, Mono<Void>> topics = new ConcurrentHashMap<>();
  private final Set<KafkaSubscription> subscriptions = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Mono<Void> closing;
  private final int id = SEQUENCE.incrementAndGet();

  private KafkaBroker(Builder settings) {
    this.settings = settings.copy();
    Map<String, Object> producerProperties = producerProperties();
    try {
      this.producer = new KafkaProducer<>(producerProperties);
      this.admin = Admin.create(adminProperties());
    } catch (KafkaException e) {
      throw new IllegalArgumentException(PREFIX + ": " + e.getMessage() + " (expected: valid Kafka client settings)", e);
    }
    this.sender = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "vireo-kafka-send-" + id);
      thread.setDaemon(true);
      return thread;
    });
    this.closing = Mono.defer(this::closeNow).cache();
    long publishMillis = settings.publishTimeout.toMillis();
    this.producerTimesOut = longSetting(producerProperties, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000) <= publishMillis
        && longSetting(producerProperties, ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000) <= publishMillis;
    this.directSendBytes = longSetting(producerProperties, ProducerConfig.BUFFER_MEMORY_CONFIG, 32L * 1024 * 1024) / 2;
    // the producer forgets a topic's metadata after metadata.max.idle.ms without a send to it
    this.warmNanos = Duration.ofMillis(longSetting(producerProperties, ProducerConfig.METADATA_MAX_IDLE_CONFIG, 300_000) / 2)
        .toNanos();
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
    return Mono.defer(() -> {
      if (closed.get()) {
        return Mono.error(VireoException.of(Status.FAILED_PRECONDITION, "publish to %s: the Kafka broker is closed", message.topic()));
      }
      TopicState topic = published.get(message.topic());
      if (topic == null) {
        Optional<VireoException> invalid = checkTopic(message.topic());
        if (invalid.isPresent()) {
          return Mono.error(invalid.get());
        }
        topic = published.computeIfAbsent(message.topic(), name -> new TopicState());
      }
      ProducerRecord<byte[], byte[]> record = KafkaRecords.toRecord(message.topic(), message);
      long size = KafkaRecords.sizeOf(record);
      if (topic.warm() && waitingSends.get() == 0 && unacknowledgedBytes.get() + size <= directSendBytes) {
        Mono<Void> sent = sendNow(record, topic, size);
        return producerTimesOut ? sent : sent.timeout(settings.publishTimeout, Mono.error(() -> notAcknowledged(record)));
      }
      return sendLater(record, topic, size);
    });
  }

  @Override
  public Mono<Subscription> subscribe(String topic, SubscribeOptions options, MessageHandler handler) {
    return Mono.defer(() -> {
      if (closed.get()) {
        return Mono.error(VireoException.of(Status.FAILED_PRECONDITION, "subscribe to %s: the Kafka broker is closed", topic));
      }
      Optional<VireoException> invalid = checkTopic(topic);
      if (invalid.isPresent()) {
        return Mono.error(invalid.get());
      }
      Optional<String> group = options.group().filter(name -> !name.isBlank());
      if (group.isEmpty()) {
        return Mono.error(VireoException.of(Status.INVALID_ARGUMENT,
            "group: empty (expected: a queue group, e.g. the service name)"));
      }
      String groupId = options.broadcast() ? group.get() + ".broadcast." + UUID.randomUUID() : group.get();
      Mono<Void> topics = ensureTopic(topic)
          .and(options.deadLetter() ? ensureTopic(Message.deadLetterTopic(topic)) : Mono.empty());
      // Kafka down: subscribe at once and let the consumer connect when it can, rather than
      // holding the service's start for the topic and partition timeouts (20 s by default)
      return reachable().flatMap(up -> {
        if (!up) {
          logger.warn("Kafka at {} is unreachable: the subscription to {} in group {} starts now and gets its events"
              + " once Kafka answers", settings.bootstrapServers, topic, groupId);
          topics.retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1)).maxBackoff(Duration.ofSeconds(30))
                  .filter(error -> !closed.get()))
              .subscribe(null, error -> logger.debug("topic {} not created: {}", topic, error.toString()));
          return Mono.fromCallable(() -> open(topic, groupId, options, handler));
        }
        Mono<Void> ready = topics
            .timeout(settings.subscribeTimeout)
            .onErrorResume(error -> {
              // the consumer keeps trying; the topic may appear later or be auto-created by Kafka
              logger.warn("cannot create topic {} (or its dead-letter topic) on {}: {}", topic,
                  settings.bootstrapServers, error.getMessage());
              return Mono.empty();
            });
        return ready.then(Mono.defer(() -> start(topic, groupId, options, handler)));
      });
    });
  }

  private KafkaSubscription open(String topic, String groupId, SubscribeOptions options, MessageHandler handler) {
    KafkaSubscription subscription = new KafkaSubscription(topic, groupId, options, handler,
        consumerProperties(groupId, options.broadcast()), settings.pollTimeout, settings.commitInterval,
        settings.shutdownTimeout, settings.maxPendingPerPartition, settings.retryBackoff,
        this::sendDeadLetter, subscriptions::remove);
    subscriptions.add(subscription);
    subscription.start();
    return subscription;
  }

  private Mono<Subscription> start(String topic, String groupId, SubscribeOptions options, MessageHandler handler) {
    KafkaSubscription subscription = open(topic, groupId, options, handler);
    return subscription.live()
        .timeout(settings.subscribeTimeout)
        .onErrorResume(TimeoutException.class, timeout -> {
          logger.warn("subscription to {} in group {} has no partitions after {}; it keeps trying ({})", topic,
              groupId, Values.format(settings.subscribeTimeout), settings.bootstrapServers);
          return Mono.empty();
        })
        .thenReturn(subscription);
  }

  @Override
  public Mono<Void> close() {
    return closing;
  }

  private Mono<Void> closeNow() {
    closed.set(true);
    return Flux.fromIterable(List.copyOf(subscriptions))
        .flatMap(KafkaSubscription::close)
        .then(Mono.<Void>fromRunnable(() -> {
          producer.close(settings.shutdownTimeout);
          admin.close(settings.shutdownTimeout);
          sender.shutdown();
        }).subscribeOn(Schedulers.boundedElastic()));
  }

  private VireoException notAcknowledged(ProducerRecord<byte[], byte[]> record) {
    return VireoException.of(Status.UNAVAILABLE, "publish to %s: Kafka (%s) did not acknowledge within %s", record.topic(),
        settings.bootstrapServers, Values.format(settings.publishTimeout));
  }

  /** Sends a dead letter: like a publish, without topic creation. */
  private Mono<Void> sendDeadLetter(ProducerRecord<byte[], byte[]> record) {
    return send(record, Optional.empty(), 0).timeout(settings.publishTimeout, Mono.error(() -> VireoException.of(Status.UNAVAILABLE,
        "dead letter to %s: not acknowledged within %s", record.topic(), Values.format(settings.publishTimeout))));
  }

  /** A send on the caller's thread: the topic's metadata is cached and the buffer has room, so it does not block. */
  private Mono<Void> sendNow(ProducerRecord<byte[], byte[]> record, TopicState topic, long size) {
    return Mono.create(sink -> {
      unacknowledgedBytes.addAndGet(size);
      try {
        producer.send(record, (metadata, error) -> acknowledged(sink, record, Optional.of(topic), size, error));
      } catch (RuntimeException e) {
        unacknowledgedBytes.addAndGet(-size);
        topic.failed();
        sink.error(KafkaErrors.toVireo("publish to " + record.topic(), e));
      }
    });
  }

  /**
   * A send on the broker's sender thread, after topic creation, bounded by a timer: the first
   * sends to a topic, and every send while Kafka is slow or failing. Counted in
   * {@link #waitingSends} from the start, so that no later send of the same caller overtakes it.
   */
  private Mono<Void> sendLater(ProducerRecord<byte[], byte[]> record, TopicState topic, long size) {
    waitingSends.incrementAndGet();
    AtomicBoolean waiting = new AtomicBoolean(true);
    Runnable sent = () -> {
      if (waiting.compareAndSet(true, false)) {
        waitingSends.decrementAndGet();
      }
    };
    return ensureTopic(record.topic())
        .then(send(record, Optional.of(topic), size, sent))
        .doFinally(signal -> sent.run())
        .timeout(settings.publishTimeout, Mono.error(() -> notAcknowledged(record)));
  }

  private Mono<Void> send(ProducerRecord<byte[], byte[]> record, Optional<TopicState> topic, long size) {
    return send(record, topic, size, () -> {});
  }

  private Mono<Void> send(ProducerRecord<byte[], byte[]> record, Optional<TopicState> topic, long size, Runnable sent) {
    return Mono.create(sink -> {
      AtomicBoolean cancelled = new AtomicBoolean();
      sink.onCancel(() -> cancelled.set(true));
      try {
        sender.execute(() -> {
          if (cancelled.get()) {
            sent.run(); // timed out while queued: the caller was told UNAVAILABLE, so it is not sent
            return;
          }
          unacknowledgedBytes.addAndGet(size);
          try {
            producer.send(record, (metadata, error) -> acknowledged(sink, record, topic, size, error));
          } catch (RuntimeException e) {
            unacknowledgedBytes.addAndGet(-size);
            topic.ifPresent(TopicState::failed);
            sink.error(KafkaErrors.toVireo("publish to " + record.topic(), e));
          } finally {
            sent.run();
          }
        });
      } catch (RejectedExecutionException e) {
        sink.error(VireoException.of(Status.FAILED_PRECONDITION, "publish to %s: the Kafka broker is closed", record.topic()));
      }
    });
  }

  /** The producer's callback, on its network thread. */
  private void acknowledged(MonoSink<Void> sink, ProducerRecord<byte[], byte[]> record, Optional<TopicState> topic,
      long size, @Nullable Exception error) {
    unacknowledgedBytes.addAndGet(-size);
    if (error == null) {
      topic.ifPresent(state -> state.acknowledged(warmNanos));
      sink.success();
    } else {
      topic.ifPresent(TopicState::failed);
      sink.error(KafkaErrors.toVireo("publish to " + record.topic(), error));
    }
  }

  /**
   * Whether sends to a topic may skip the sender thread: until {@code warmUntil}, set by each
   * acknowledgement (the producer keeps the topic's metadata meanwhile); a failure ends it.
   */
  private static final class TopicState {
    private volatile long warmUntil = System.nanoTime();

    boolean warm() {
      return System.nanoTime() - warmUntil < 0;
    }

    void acknowledged(long warmNanos) {
      warmUntil = System.nanoTime() + warmNanos;
    }

    void failed() {
      warmUntil = System.nanoTime();
    }
  }

  private Mono<Void> ensureTopic(String topic) {
    if (!settings.autoCreateTopics) {
      return Mono.empty();
    }
    return topics.computeIfAbsent(topic, name -> createTopic(name)
        .doOnError(error -> topics.remove(name))
        .cache());
  }

  private Mono<Void> createTopic(String topic) {
    NewTopic newTopic = new NewTopic(topic, Optional.of(settings.topicPartitions),
        settings.topicReplicationFactor > 0 ? Optional.of(settings.topicReplicationFactor) : Optional.empty());
    return Mono.defer(() -> Mono.fromCompletionStage(admin.createTopics(List.of(newTopic)).all().toCompletionStage()))
        .onErrorResume(error -> KafkaErrors.unwrap(error) instanceof TopicExistsException, error -> Mono.empty())
        .doOnSuccess(ignored -> logger.debug("topic {} is there", topic))
        .onErrorMap(error -> KafkaErrors.toVireo("create topic " + topic, error))
        .then();
  }

  private static Optional<VireoException> checkTopic(String topic) {
    if (!LEGAL_TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
      return Optional.of(VireoException.of(Status.INVALID_ARGUMENT,
          "topic: '%s' (expected: 1 to 249 of a-z A-Z 0-9 . _ -)", topic));
    }
    return Optional.empty();
  }

  private Map<String, Object> commonProperties(String clientId) {
    Map<String, Object> props = new HashMap<>();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
    props.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, String.valueOf(settings.retryBackoff.toMillis()));
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, String.valueOf(settings.reconnectBackoff.toMillis()));
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, String.valueOf(settings.reconnectBackoffMax.toMillis()));
    return props;
  }

  private Map<String, Object> producerProperties() {
    long timeout = settings.publishTimeout.toMillis();
    Map<String, Object> props = commonProperties(settings.clientId + "-producer-" + id);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(timeout));
    props.putAll(settings.producer);
    long linger = Long.parseLong(String.valueOf(props.getOrDefault(ProducerConfig.LINGER_MS_CONFIG, "5")));
    // Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms
    props.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.max(1, Math.min(30_000, timeout - linger))));
    long request = Long.parseLong(String.valueOf(props.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG)));
    props.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(Math.max(timeout, linger + request)));
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return props;
  }

  private static long longSetting(Map<String, Object> props, String name, long otherwise) {
    Object value = props.get(name);
    try {
      return value == null ? otherwise : Long.parseLong(String.valueOf(value).trim());
    } catch (NumberFormatException e) {
      return otherwise; // the producer itself rejected anything unparsable already
    }
  }

  private Map<String, Object> adminProperties() {
    long timeout = settings.publishTimeout.toMillis();
    Map<String, Object> props = commonProperties(settings.clientId + "-admin-" + id);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(timeout));
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.min(30_000, timeout)));
    props.putAll(settings.admin);
    return props;
  }

  private Map<String, Object> consumerProperties(String groupId, boolean broadcast) {
    Map<String, Object> props = commonProperties(
        settings.clientId + "-" + groupId + "-" + SEQUENCE.incrementAndGet());
    // a new queue group starts at the beginning (it is a new service: it gets every event
    // still kept); a broadcast group is new on every start and reads only what comes next
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, broadcast ? "latest" : "earliest");
    props.putAll(settings.consumer);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return props;
  }

  private final KafkaReachability reachability = new KafkaReachability();

  /**
   * Whether Kafka's cluster metadata can be fetched now: the cached answer of an Admin
   * {@code describeCluster}, asked again at most every 2 s on the Admin client's own thread;
   * false once the broker is closed.
   */
  @Override
  public Mono<Boolean> reachable() {
    return closed.get() ? Mono.just(false) : reachability.check(admin, settings.bootstrapServers);
  }

  @Override
  public String toString() {
    return "KafkaBroker{" + settings.bootstrapServers + "}";
  }

  /** Builds a {@link KafkaBroker}; every setting is also a {@code vireo.broker.kafka.*} key. */
  public static final class Builder {
    private String bootstrapServers = DEFAULT_BOOTSTRAP_SERVERS;
    private String clientId = DEFAULT_CLIENT_ID;
    private boolean autoCreateTopics = DEFAULT_AUTO_CREATE_TOPICS;
    private int topicPartitions = DEFAULT_TOPIC_PARTITIONS;
    private short topicReplicationFactor = DEFAULT_TOPIC_REPLICATION_FACTOR;
    private Duration publishTimeout = DEFAULT_PUBLISH_TIMEOUT;
    private Duration subscribeTimeout = DEFAULT_SUBSCRIBE_TIMEOUT;
    private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
    private Duration pollTimeout = DEFAULT_POLL_TIMEOUT;
    private Duration commitInterval = DEFAULT_COMMIT_INTERVAL;
    private int maxPendingPerPartition = DEFAULT_MAX_PENDING_PER_PARTITION;
    private Duration retryBackoff = DEFAULT_RETRY_BACKOFF;
    private Duration reconnectBackoff = DEFAULT_RECONNECT_BACKOFF;
    private Duration reconnectBackoffMax = DEFAULT_RECONNECT_BACKOFF_MAX;
    private final Map<String, String> producer = new LinkedHashMap<>();
    private final Map<String, String> consumer = new LinkedHashMap<>();
    private final Map<String, String> admin = new LinkedHashMap<>();

    Builder() {}

    /** Reads every {@code vireo.broker.kafka.*} key that {@code config} has. */
    public Builder config(Config config) {
      config.get(key("bootstrap-servers")).ifPresent(value -> bootstrapServers(nonEmpty(key("bootstrap-servers"), value)));
      config.get(key("client-id")).ifPresent(value -> clientId(nonEmpty(key("client-id"), value)));
      autoCreateTopics(config.getBoolean(key("auto-create-topics"), autoCreateTopics));
      topicPartitions = atLeast(key("topic-partitions"), config.getInt(key("topic-partitions"), topicPartitions), 1);
      int replication = config.getInt(key("topic-replication-factor"), topicReplicationFactor);
      if (replication == 0 || replication < -1 || replication > Short.MAX_VALUE) {
        throw new IllegalArgumentException(key("topic-replication-factor") + ": " + replication
            + " (expected: >= 1, or -1 for the broker's default)");
      }
      topicReplicationFactor = (short) replication;
      publishTimeout = positive(key("publish-timeout"), config.getDuration(key("publish-timeout"), publishTimeout));
      subscribeTimeout = positive(key("subscribe-timeout"), config.getDuration(key("subscribe-timeout"), subscribeTimeout));
      shutdownTimeout = positive(key("shutdown-timeout"), config.getDuration(key("shutdown-timeout"), shutdownTimeout));
      pollTimeout = positive(key("poll-timeout"), config.getDuration(key("poll-timeout"), pollTimeout));
      commitInterval = notNegative(key("commit-interval"), config.getDuration(key("commit-interval"), commitInterval));
      maxPendingPerPartition = atLeast(key("max-pending-per-partition"),
          config.getInt(key("max-pending-per-partition"), maxPendingPerPartition), 1);
      retryBackoff = notNegative(key("retry-backoff"), config.getDuration(key("retry-backoff"), retryBackoff));
      reconnectBackoff = notNegative(key("reconnect-backoff"), config.getDuration(key("reconnect-backoff"), reconnectBackoff));
      reconnectBackoffMax = notNegative(key("reconnect-backoff-max"),
          config.getDuration(key("reconnect-backoff-max"), reconnectBackoffMax));
      producer.putAll(config.subset(key("producer")));
      consumer.putAll(config.subset(key("consumer")));
      admin.putAll(config.subset(key("admin")));
      return this;
    }

    /** {@code host:port,...} of the Kafka brokers to start from (default {@value KafkaBroker#DEFAULT_BOOTSTRAP_SERVERS}). */
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

    /** Replication factor of a created topic; -1 for the broker's {@code default.replication.factor}. */
    public Builder topicReplicationFactor(int topicReplicationFactor) {
      if (topicReplicationFactor == 0 || topicReplicationFactor < -1 || topicReplicationFactor > Short.MAX_VALUE) {
        throw new IllegalArgumentException("topicReplicationFactor: " + topicReplicationFactor
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

    /** How long {@code subscribe} waits for the first partition assignment (the subscription goes on trying). */
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

    private static String key(String name) {
      return PREFIX + "." + name;
    }

    private static String nonEmpty(String name, String value) {
      if (value.isBlank()) {
        throw new IllegalArgumentException(name + ": empty (expected: a value)");
      }
      return value;
    }

    private static int atLeast(String name, int value, int min) {
      if (value < min) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: >= " + min + ")");
      }
      return value;
    }

    private static Duration positive(String name, Duration value) {
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
      }
      return value;
    }

    private static Duration notNegative(String name, Duration value) {
      if (value.isNegative()) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0)");
      }
      return value;
    }
  }
}
