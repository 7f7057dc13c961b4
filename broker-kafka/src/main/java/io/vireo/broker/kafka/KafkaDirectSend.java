package io.vireo.broker.kafka;

import io.vireo.VireoException;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;

/**
 * A publish that {@link KafkaPublisher} sends on the subscriber's thread, as a Mono that completes
 * when Kafka acknowledged the record. Each subscription is one {@link Acknowledgement}, both the
 * Subscription and the producer's Callback: {@code Mono.create} added a sink, two lambdas and two
 * atomic state changes per record, most of them on the producer's network thread (a fifth of its
 * time in a profile, in {@code DefaultMonoSink.success}).
 */
final class KafkaDirectSend extends Mono<Void> {
  private final KafkaPublisher publisher;
  private final ProducerRecord<byte[], byte[]> record;
  private final KafkaPublisher.TopicState topic;
  private final long size;

  KafkaDirectSend(
      KafkaPublisher publisher,
      ProducerRecord<byte[], byte[]> record,
      KafkaPublisher.TopicState topic,
      long size) {
    this.publisher = publisher;
    this.record = record;
    this.topic = topic;
    this.size = size;
  }

  @Override
  public void subscribe(CoreSubscriber<? super Void> actual) {
    Acknowledgement acknowledgement = new Acknowledgement(actual, this);
    actual.onSubscribe(acknowledgement);
    publisher.sendDirect(record, topic, size, acknowledgement);
  }

  /** One subscription: its end comes from the producer's callback, on its network thread. */
  static final class Acknowledgement implements Subscription, Callback {
    private final CoreSubscriber<? super Void> actual;
    private final KafkaDirectSend send;
    private volatile boolean cancelled;

    Acknowledgement(CoreSubscriber<? super Void> actual, KafkaDirectSend send) {
      this.actual = actual;
      this.send = send;
    }

    @Override
    public void request(long n) {} // a Mono<Void> has nothing to emit but its end

    @Override
    public void cancel() {
      cancelled = true; // the record is out already: only its end is not told
    }

    @Override
    public void onCompletion(RecordMetadata metadata, @Nullable Exception error) {
      end(send.publisher.settle(send.record, send.topic, send.size, error));
    }

    /** {@code error}: none once Kafka acknowledged the record. */
    void end(@Nullable VireoException error) {
      if (cancelled) {
        return;
      }
      if (error == null) {
        actual.onComplete();
      } else {
        actual.onError(error);
      }
    }
  }
}
