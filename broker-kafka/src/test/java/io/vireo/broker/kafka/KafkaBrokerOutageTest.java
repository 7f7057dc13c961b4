package io.vireo.broker.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vireo.Headers;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.broker.Message;
import io.vireo.broker.SubscribeOptions;
import io.vireo.broker.Subscription;
import io.vireo.testing.kafka.KafkaExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.util.retry.Retry;

/** A broker of its own, stopped and started again. */
class KafkaBrokerOutageTest {
  @RegisterExtension static final KafkaExtension KAFKA = new KafkaExtension();

  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void publishToAWarmTopicFailsUnavailableWhileKafkaIsAwayAndWorksOnceItIsBack() {
    KafkaBroker broker =
        KafkaBroker.builder()
            .bootstrapServers(KAFKA.bootstrapServers())
            .publishTimeout(Duration.ofSeconds(2))
            .build();
    try {
      // acknowledged: later sends to this topic go out on the caller's thread
      StepVerifier.create(broker.publish(text("away", "before"))).expectComplete().verify(WAIT);

      KAFKA.stop();
      try {
        StepVerifier.create(broker.publish(text("away", "during")))
            .expectErrorSatisfies(
                error ->
                    assertThat(error)
                        .isInstanceOfSatisfying(
                            VireoException.class,
                            vireo -> assertThat(vireo.status()).isEqualTo(Status.UNAVAILABLE)))
            .verify(WAIT);
      } finally {
        KAFKA.start();
      }

      // the producer reconnects within a few of its (2 s) attempts
      StepVerifier.create(
              broker
                  .publish(text("away", "after"))
                  .retryWhen(
                      Retry.fixedDelay(10, Duration.ofMillis(500))
                          .filter(
                              error ->
                                  error instanceof VireoException vireo
                                      && vireo.status() == Status.UNAVAILABLE)))
          .expectComplete()
          .verify(WAIT);
    } finally {
      broker.close().block(WAIT);
    }
  }

  private static Message text(String topic, String text) {
    return new Message(
        topic, Optional.empty(), Headers.empty(), text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Issue 12: with Kafka down a service took 20 s to start (topic creation, then partitions, each
   * waiting the subscribe timeout). Now subscribe() answers as soon as Kafka is known to be
   * unreachable: here well before one subscribe timeout of 60 s, let alone two.
   */
  @Test
  void subscribingWhileKafkaIsDownDoesNotWaitForTheTimeouts() {
    KAFKA.stop();
    KafkaBroker broker =
        KafkaBroker.builder()
            .bootstrapServers(KAFKA.bootstrapServers())
            .subscribeTimeout(Duration.ofSeconds(60))
            .publishTimeout(Duration.ofSeconds(30))
            .build();
    try {
      Queue<String> received = new ConcurrentLinkedQueue<>();
      Subscription subscription =
          broker
              .subscribe(
                  "down-at-start",
                  SubscribeOptions.builder().group("eager").deadLetter(true).build(),
                  message ->
                      Mono.fromRunnable(
                          () ->
                              received.add(new String(message.payload(), StandardCharsets.UTF_8))))
              .block(Duration.ofSeconds(40));
      assertThat(subscription).isNotNull();

      KAFKA.start();
      StepVerifier.create(broker.publish(text("down-at-start", "back")))
          .expectComplete()
          .verify(WAIT);
      await().atMost(WAIT).until(() -> received.contains("back"));
    } finally {
      broker.close().block(WAIT);
    }
  }

  @Test
  void subscriptionKeepsTryingWhileKafkaIsAway() {
    KAFKA.stop();
    KafkaBroker broker =
        KafkaBroker.builder()
            .bootstrapServers(KAFKA.bootstrapServers())
            .subscribeTimeout(Duration.ofMillis(500))
            .publishTimeout(Duration.ofSeconds(30))
            .build();
    try {
      Queue<String> received = new ConcurrentLinkedQueue<>();
      Subscription subscription =
          broker
              .subscribe(
                  "outage",
                  SubscribeOptions.builder().group("patient").build(),
                  message ->
                      Mono.fromRunnable(
                          () ->
                              received.add(new String(message.payload(), StandardCharsets.UTF_8))))
              .block(WAIT);
      assertThat(subscription).isNotNull();

      KAFKA.start();
      StepVerifier.create(
              broker.publish(
                  new Message(
                      "outage",
                      Optional.empty(),
                      Headers.empty(),
                      "back".getBytes(StandardCharsets.UTF_8))))
          .expectComplete()
          .verify(WAIT);

      await().atMost(WAIT).until(() -> received.contains("back"));
      assertThat(received).containsExactly("back");
    } finally {
      broker.close().block(WAIT);
    }
  }
}
