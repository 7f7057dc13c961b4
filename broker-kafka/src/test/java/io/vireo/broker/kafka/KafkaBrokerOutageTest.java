package io.vireo.broker.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vireo.Headers;
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

/** A broker of its own, stopped and started again. */
class KafkaBrokerOutageTest {
  @RegisterExtension static final KafkaExtension KAFKA = new KafkaExtension();

  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void subscriptionKeepsTryingWhileKafkaIsAway() {
    KAFKA.stop();
    KafkaBroker broker = KafkaBroker.builder()
        .bootstrapServers(KAFKA.bootstrapServers())
        .subscribeTimeout(Duration.ofMillis(500))
        .publishTimeout(Duration.ofSeconds(30))
        .build();
    try {
      Queue<String> received = new ConcurrentLinkedQueue<>();
      Subscription subscription = broker.subscribe("outage", SubscribeOptions.builder().group("patient").build(),
          message -> Mono.fromRunnable(() -> received.add(new String(message.payload(), StandardCharsets.UTF_8))))
          .block(WAIT);
      assertThat(subscription).isNotNull();

      KAFKA.start();
      StepVerifier.create(broker.publish(new Message("outage", Optional.empty(), Headers.empty(),
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
