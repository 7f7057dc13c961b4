package io.vireo.broker.kafka;

import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.broker.Message;
import io.vireo.config.Values;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * The publishing side of a {@link KafkaBroker}: one producer, and the one thread that calls {@code
 * KafkaProducer.send} whenever that could block (see {@link KafkaBroker}'s class comment for when a
 * publish sends on the caller's thread instead).
 */
final class KafkaPublisher {
  private final Producer<byte[], byte[]> producer;
  private final KafkaTopics topics;
  private final String bootstrapServers;
  private final Duration publishTimeout;
  private final ExecutorService sender;
  private final Map<String, TopicState> published = new ConcurrentHashMap<>();
  private final AtomicInteger waitingSends = new AtomicInteger();
  private final AtomicLong unacknowledgedBytes = new AtomicLong();
  private final long directSendBytes;
  private final @Nullable Metric bufferAvailable;
  private final int poolCheckEvery;
  private int sendsSincePoolCheck; // plain: a lost update only delays a check by a send or two
  private volatile boolean poolHasRoom = true;
  private final long warmNanos;
  private final boolean producerTimesOut;

  /** {@code producerProperties}: those the producer was made with. */
  KafkaPublisher(
      Producer<byte[], byte[]> producer,
      Map<String, Object> producerProperties,
      KafkaTopics topics,
      KafkaBroker.Builder settings,
      int brokerId) {
    this.producer = producer;
    this.topics = topics;
    this.bootstrapServers = settings.bootstrapServers;
    this.publishTimeout = settings.publishTimeout;
    this.sender =
        Executors.newSingleThreadExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "vireo-kafka-send-" + brokerId);
              thread.setDaemon(true);
              return thread;
            });
    long publishMillis = publishTimeout.toMillis();
    this.producerTimesOut =
        KafkaClients.longSetting(
                    producerProperties, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000)
                <= publishMillis
            && KafkaClients.longSetting(
                    producerProperties, ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000)
                <= publishMillis;
    this.directSendBytes =
        KafkaClients.longSetting(
                producerProperties, ProducerConfig.BUFFER_MEMORY_CONFIG, 32L * 1024 * 1024)
            / 2;
    this.bufferAvailable = bufferAvailable(producer);
    // between two looks at the pool, each send may take one new batch from it: those must fit in
    // the half of it that a look asks to be free
    long batchSize =
        KafkaClients.longSetting(
            producerProperties, ProducerConfig.BATCH_SIZE_CONFIG, KafkaClients.DEFAULT_BATCH_SIZE);
    this.poolCheckEvery =
        (int) Math.max(1, Math.min(16, directSendBytes / 4 / Math.max(1, batchSize)));
    // the producer forgets a topic's metadata after metadata.max.idle.ms without a send to it
    this.warmNanos =
        Duration.ofMillis(
                KafkaClients.longSetting(
                        producerProperties, ProducerConfig.METADATA_MAX_IDLE_CONFIG, 300_000)
                    / 2)
            .toNanos();
  }

  /**
   * Completes when Kafka acknowledged the record. Decides now, on the caller's thread, how it is
   * sent (call it when the publish is subscribed to: {@link KafkaBroker#publish} defers it).
   */
  Mono<Void> publishNow(Message message) {
    TopicState topic = published.get(message.topic());
    if (topic == null) {
      Optional<VireoException> invalid = KafkaTopics.check(message.topic());
      if (invalid.isPresent()) {
        return Mono.error(invalid.get());
      }
      topic = published.computeIfAbsent(message.topic(), name -> new TopicState());
    }
    ProducerRecord<byte[], byte[]> record = KafkaRecords.toRecord(message.topic(), message);
    long size = KafkaRecords.sizeOf(record);
    if (topic.warm()
        && waitingSends.get() == 0
        && unacknowledgedBytes.get() + size <= directSendBytes
        && poolHasRoom()) {
      Mono<Void> sent = sendNow(record, topic, size);
      return producerTimesOut
          ? sent
          : sent.timeout(publishTimeout, Mono.error(() -> notAcknowledged(record)));
    }
    return sendLater(record, topic, size);
  }

  /**
   * Whether at least half of the producer's {@code buffer.memory} is free, looked at every {@link
   * #poolCheckEvery} sends. {@link #unacknowledgedBytes} counts records, but the pool lends a whole
   * {@code batch.size} to each partition being written: many partitions with a few records each
   * fill it long before the records do, and then {@code send} would block its caller.
   */
  private boolean poolHasRoom() {
    if (bufferAvailable == null) {
      return true; // not a KafkaProducer: the estimate alone decides
    }
    if (++sendsSincePoolCheck >= poolCheckEvery) {
      sendsSincePoolCheck = 0;
      poolHasRoom =
          bufferAvailable.metricValue() instanceof Number free
              && free.doubleValue() >= directSendBytes;
    }
    return poolHasRoom;
  }

  /** The producer's {@code buffer-available-bytes}: what its buffer pool has free, unlent. */
  private static @Nullable Metric bufferAvailable(Producer<byte[], byte[]> producer) {
    for (Map.Entry<MetricName, ? extends Metric> metric : producer.metrics().entrySet()) {
      if (metric.getKey().name().equals("buffer-available-bytes")
          && metric.getKey().group().equals("producer-metrics")) {
        return metric.getValue();
      }
    }
    return null;
  }

  /** Sends a dead letter: like a publish, without topic creation. */
  Mono<Void> sendDeadLetter(ProducerRecord<byte[], byte[]> record) {
    return send(record, null, 0, () -> {})
        .timeout(
            publishTimeout,
            Mono.error(
                () ->
                    VireoException.of(
                        Status.UNAVAILABLE,
                        "dead letter to %s: not acknowledged within %s",
                        record.topic(),
                        Values.format(publishTimeout))));
  }

  /** Blocks up to {@code timeout}: call it off the event loop. */
  void close(Duration timeout) {
    producer.close(timeout);
    sender.shutdown();
  }

  private VireoException notAcknowledged(ProducerRecord<byte[], byte[]> record) {
    return VireoException.of(
        Status.UNAVAILABLE,
        "publish to %s: Kafka (%s) did not acknowledge within %s",
        record.topic(),
        bootstrapServers,
        Values.format(publishTimeout));
  }

  /**
   * A send on the caller's thread: the topic's metadata is cached and the buffer has room, so it
   * does not block.
   */
  private Mono<Void> sendNow(ProducerRecord<byte[], byte[]> record, TopicState topic, long size) {
    return new KafkaDirectSend(this, record, topic, size);
  }

  /** {@link KafkaDirectSend}'s send, on its subscriber's thread. */
  void sendDirect(
      ProducerRecord<byte[], byte[]> record,
      TopicState topic,
      long size,
      KafkaDirectSend.Acknowledgement acknowledgement) {
    unacknowledgedBytes.addAndGet(size);
    try {
      producer.send(record, acknowledgement);
    } catch (RuntimeException e) {
      unacknowledgedBytes.addAndGet(-size);
      topic.failed();
      acknowledgement.end(KafkaErrors.toVireo("publish to " + record.topic(), e));
    }
  }

  /**
   * A send on the sender thread, after topic creation, bounded by a timer: the first sends to a
   * topic, and every send while Kafka is slow or failing. Counted in {@link #waitingSends} from the
   * start, so that no later send of the same caller overtakes it.
   */
  private Mono<Void> sendLater(ProducerRecord<byte[], byte[]> record, TopicState topic, long size) {
    waitingSends.incrementAndGet();
    AtomicBoolean waiting = new AtomicBoolean(true);
    Runnable sent =
        () -> {
          if (waiting.compareAndSet(true, false)) {
            waitingSends.decrementAndGet();
          }
        };
    return topics
        .ensure(record.topic())
        .then(send(record, topic, size, sent))
        .doFinally(signal -> sent.run())
        .timeout(publishTimeout, Mono.error(() -> notAcknowledged(record)));
  }

  /** {@code topic}: none for a dead letter. */
  private Mono<Void> send(
      ProducerRecord<byte[], byte[]> record, @Nullable TopicState topic, long size, Runnable sent) {
    return Mono.create(
        sink -> {
          AtomicBoolean cancelled = new AtomicBoolean();
          sink.onCancel(() -> cancelled.set(true));
          try {
            sender.execute(
                () -> {
                  if (cancelled.get()) {
                    sent.run(); // timed out while queued: the caller was told UNAVAILABLE, so it is
                    // not sent
                    return;
                  }
                  unacknowledgedBytes.addAndGet(size);
                  try {
                    producer.send(
                        record,
                        (metadata, error) -> {
                          VireoException failure = settle(record, topic, size, error);
                          if (failure == null) {
                            sink.success();
                          } else {
                            sink.error(failure);
                          }
                        });
                  } catch (RuntimeException e) {
                    unacknowledgedBytes.addAndGet(-size);
                    if (topic != null) {
                      topic.failed();
                    }
                    sink.error(KafkaErrors.toVireo("publish to " + record.topic(), e));
                  } finally {
                    sent.run();
                  }
                });
          } catch (RejectedExecutionException e) {
            sink.error(
                VireoException.of(
                    Status.FAILED_PRECONDITION,
                    "publish to %s: the Kafka broker is closed",
                    record.topic()));
          }
        });
  }

  /**
   * The producer's callback's bookkeeping, on its network thread: the error to end the publish
   * with, none once Kafka acknowledged it.
   */
  @Nullable VireoException settle(
      ProducerRecord<byte[], byte[]> record,
      @Nullable TopicState topic,
      long size,
      @Nullable Exception error) {
    unacknowledgedBytes.addAndGet(-size);
    if (error == null) {
      if (topic != null) {
        topic.acknowledged(warmNanos);
      }
      return null;
    }
    if (topic != null) {
      topic.failed();
    }
    return KafkaErrors.toVireo("publish to " + record.topic(), error);
  }

  /**
   * Whether sends to a topic may skip the sender thread: until {@code warmUntil}, moved on by
   * acknowledgements (the producer keeps the topic's metadata meanwhile); a failure ends it.
   */
  static final class TopicState {
    private volatile long warmUntil = System.nanoTime();

    boolean warm() {
      return System.nanoTime() - warmUntil < 0;
    }

    /**
     * Moves {@code warmUntil} on only when it moves by more than an eighth of {@code warmNanos}: a
     * volatile write (a fence) per acknowledged record on the producer's network thread is not
     * needed to keep the topic warm.
     */
    void acknowledged(long warmNanos) {
      long until = System.nanoTime() + warmNanos;
      if (until - warmUntil > warmNanos / 8) {
        warmUntil = until;
      }
    }

    void failed() {
      warmUntil = System.nanoTime();
    }
  }
}
