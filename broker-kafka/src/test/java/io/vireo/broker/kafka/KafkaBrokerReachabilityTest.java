package io.vireo.broker.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vireo.testing.kafka.KafkaExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.test.StepVerifier;

/** reachable() follows a real Kafka broker stopped and started again. */
class KafkaBrokerReachabilityTest {
  @RegisterExtension static final KafkaExtension KAFKA = new KafkaExtension();

  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void reachableTurnsFalseWhileKafkaIsStoppedAndTrueWhenItIsBack() {
    KafkaBroker broker = KafkaBroker.builder().bootstrapServers(KAFKA.bootstrapServers()).build();
    try {
      // the first answer waits for the first describeCluster
      StepVerifier.create(broker.reachable()).expectNext(true).verifyComplete();

      KAFKA.stop();
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(200))
          .until(() -> !broker.reachable().block(WAIT));

      KAFKA.start();
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(200))
          .until(() -> broker.reachable().block(WAIT));
    } finally {
      broker.close().block(WAIT);
    }
    StepVerifier.create(broker.reachable()).expectNext(false).verifyComplete();
  }

  @Test
  void unreachableFromTheStartWhenNothingListens() {
    KafkaBroker broker = KafkaBroker.builder().bootstrapServers("127.0.0.1:1").build();
    try {
      StepVerifier.create(broker.reachable())
          .expectNext(false)
          .expectComplete()
          .verify(Duration.ofSeconds(30));
      assertThat(broker.reachable().block(WAIT)).isFalse();
    } finally {
      broker.close().block(WAIT);
    }
  }
}
