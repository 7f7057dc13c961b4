package io.vireo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Timestamp;
import io.vireo.broker.Message;
import io.vireo.broker.SubscribeOptions;
import io.vireo.broker.memory.MemoryBroker;
import io.vireo.internal.runtime.ServiceRuntime;
import io.vireo.registry.memory.MemoryRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * An event whose {@code vireo-type} is not the subscriber's type is not delivered (protobuf would
 * decode a Timestamp's bytes as a Duration without a word): INVALID_ARGUMENT, to the dead letter
 * topic, and a log line naming both types. The same check on Kafka: broker-kafka's
 * KafkaEventTypeTest.
 */
class EventTypeTest {
  @Test
  void anEventOfAnotherTypeGoesToTheDeadLetterTopicAndTheLogNamesBothTypes() {
    MemoryBroker broker = MemoryBroker.newStore(1000);
    List<com.google.protobuf.Duration> delivered = new CopyOnWriteArrayList<>();
    List<Message> deadLetters = new CopyOnWriteArrayList<>();
    broker
        .subscribe(
            "stock.DLT",
            SubscribeOptions.builder().group("audit").build(),
            message -> Mono.fromRunnable(() -> deadLetters.add(message)))
        .block(Duration.ofSeconds(10));
    try (LogCapture log = new LogCapture(ServiceRuntime.class)) {
      Service subscriber =
          Service.builder("inventory")
              .registry(MemoryRegistry.newStore())
              .broker(broker.handle())
              .set("vireo.transport", "memory")
              .subscribe(
                  "stock",
                  com.google.protobuf.Duration.class,
                  SubscribeOptions.builder()
                      .deadLetter(true)
                      .retryBackoff(Duration.ofMillis(1))
                      .build(),
                  event -> Mono.fromRunnable(() -> delivered.add(event)))
              .build()
              .start();
      Service publisher =
          Service.builder("orders")
              .registry(MemoryRegistry.newStore())
              .broker(broker.handle())
              .set("vireo.transport", "memory")
              .build()
              .start();
      try {
        publisher
            .publish("stock", Timestamp.newBuilder().setSeconds(-3).build())
            .block(Duration.ofSeconds(10));
        publisher
            .publish("stock", com.google.protobuf.Duration.newBuilder().setSeconds(7).build())
            .block(Duration.ofSeconds(10));

        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> deadLetters.size() == 1 && delivered.size() == 1);
        assertThat(delivered)
            .extracting(com.google.protobuf.Duration::getSeconds)
            .containsExactly(7L);
        Message dead = deadLetters.get(0);
        assertThat(dead.headers().get(Message.DLT_STATUS)).contains("INVALID_ARGUMENT");
        assertThat(dead.headers().get(Message.DLT_ERROR))
            .hasValueSatisfying(
                error ->
                    assertThat(error)
                        .contains("google.protobuf.Timestamp")
                        .contains("google.protobuf.Duration"));
        assertThat(dead.headers().get(Message.TYPE)).contains("google.protobuf.Timestamp");
        assertThat(log.lines())
            .anyMatch(
                line ->
                    line.startsWith("WARN")
                        && line.contains("google.protobuf.Timestamp")
                        && line.contains("google.protobuf.Duration"));
      } finally {
        publisher.stop();
        subscriber.stop();
      }
    }
  }

  @Test
  void aSubscriberOfAnAbstractTypeTakesAnyType() {
    assertThat(ServiceRuntime.expectedType(com.google.protobuf.Message.class)).isEmpty();
    assertThat(ServiceRuntime.expectedType(Object.class)).isEmpty();
    assertThat(ServiceRuntime.expectedType(String.class)).isEmpty();
    assertThat(ServiceRuntime.expectedType(Timestamp.class)).contains("google.protobuf.Timestamp");
  }
}
