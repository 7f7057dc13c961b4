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
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

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
    // the producer forgets a topic's metadata after metadata.max.idle.ms without a send to it
    this.warmNanos =
        Duration.ofMillis(
                KafkaClients.longSetting(
                        producerProperties, ProducerConfig.METADATA_MAX_IDLE_CONFIG, 300_000)
                    / 2)
            .toNanos();
  }

  /** Completes when Kafka acknowledged the record. */
  Mono<Void> publish(Message message) {
    return Mono.defer(
        () -> {
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
              && unacknowledgedBytes.get() + size <= directSendBytes) {
            Mono<Void> sent = sendNow(record, topic, size);
            return producerTimesOut
                ? sent
                : sent.timeout(publishTimeout, Mono.error(() -> notAcknowledged(record)));
          }
          return sendLater(record, topic, size);
        });
  }

  /** Sends a dead letter: like a publish, without topic creation. */
  Mono<Void> sendDeadLetter(ProducerRecord<byte[], byte[]> record) {
    return send(record, Optional.empty(), 0)
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
    return Mono.create(
        sink -> {
          unacknowledgedBytes.addAndGet(size);
          try {
            producer.send(
                record,
                (metadata, error) -> acknowledged(sink, record, Optional.of(topic), size, error));
          } catch (RuntimeException e) {
            unacknowledgedBytes.addAndGet(-size);
            topic.failed();
            sink.error(KafkaErrors.toVireo("publish to " + record.topic(), e));
          }
        });
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
        .then(send(record, Optional.of(topic), size, sent))
        .doFinally(signal -> sent.run())
        .timeout(publishTimeout, Mono.error(() -> notAcknowledged(record)));
  }

  private Mono<Void> send(
      ProducerRecord<byte[], byte[]> record, Optional<TopicState> topic, long size) {
    return send(record, topic, size, () -> {});
  }

  private Mono<Void> send(
      ProducerRecord<byte[], byte[]> record, Optional<TopicState> topic, long size, Runnable sent) {
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
                        (metadata, error) -> acknowledged(sink, record, topic, size, error));
                  } catch (RuntimeException e) {
                    unacknowledgedBytes.addAndGet(-size);
                    topic.ifPresent(TopicState::failed);
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

  /** The producer's callback, on its network thread. */
  private void acknowledged(
      MonoSink<Void> sink,
      ProducerRecord<byte[], byte[]> record,
      Optional<TopicState> topic,
      long size,
      @Nullable Exception error) {
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
}
