package io.vireo.broker.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.Timestamp;
import io.vireo.Service;
import io.vireo.broker.Message;
import io.vireo.broker.SubscribeOptions;
import io.vireo.registry.memory.MemoryRegistry;
import io.vireo.testing.kafka.KafkaExtension;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * On a real Kafka broker, an event whose {@code vireo-type} is not the subscriber's type is not
 * delivered: INVALID_ARGUMENT, to {@code <topic>.DLT} with no retries, and a warning naming both
 * types (issue 12; the memory broker's twin is the framework's EventTypeTest).
 */
class KafkaEventTypeTest {
  @RegisterExtension static final KafkaExtension KAFKA = KafkaExtension.shared();

  private static final Duration WAIT = Duration.ofSeconds(90);

  private static Service.Builder service(String name) {
    return Service.builder(name)
        .registry(MemoryRegistry.newStore())
        .set("vireo.transport", "memory")
        .set("vireo.broker", "kafka")
        .set("vireo.broker.kafka.bootstrap-servers", KAFKA.bootstrapServers());
  }

  @Test
  void anEventOfAnotherTypeIsDeadLetteredAndBothTypesAreLogged() {
    String topic = "stock." + UUID.randomUUID().toString().substring(0, 8);
    KAFKA.createTopic(topic, 1);
    KAFKA.createTopic(Message.deadLetterTopic(topic), 1);
    List<com.google.protobuf.Duration> delivered = new CopyOnWriteArrayList<>();
    List<Message> deadLetters = new CopyOnWriteArrayList<>();
    // the service's log category (a name: the class behind it is internal)
    Logger logger = (Logger) LoggerFactory.getLogger("io.vireo.internal.runtime.ServiceRuntime");
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    logger.addAppender(log);
    KafkaBroker audit = KafkaBroker.builder().bootstrapServers(KAFKA.bootstrapServers()).build();
    Service subscriber =
        service("inventory")
            .subscribe(
                topic,
                com.google.protobuf.Duration.class,
                SubscribeOptions.builder()
                    .deadLetter(true)
                    .retryBackoff(Duration.ofMillis(10))
                    .build(),
                event -> Mono.fromRunnable(() -> delivered.add(event)))
            .build()
            .start();
    Service publisher = service("orders").build().start();
    try {
      audit
          .subscribe(
              Message.deadLetterTopic(topic),
              SubscribeOptions.builder().group("audit-" + topic).build(),
              message -> Mono.fromRunnable(() -> deadLetters.add(message)))
          .block(WAIT);
      publisher.publish(topic, Timestamp.newBuilder().setSeconds(-3).build()).block(WAIT);
      publisher
          .publish(topic, com.google.protobuf.Duration.newBuilder().setSeconds(7).build())
          .block(WAIT);

      await().atMost(WAIT).until(() -> deadLetters.size() == 1 && delivered.size() == 1);
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
      assertThat(dead.headers().get(Message.REDELIVERY))
          .as("no retries for a wrong type")
          .isEmpty();
      assertThat(log.list)
          .anyMatch(
              e ->
                  e.getFormattedMessage().contains("google.protobuf.Timestamp")
                      && e.getFormattedMessage().contains("google.protobuf.Duration"));
    } finally {
      logger.detachAppender(log);
      publisher.stop();
      subscriber.stop();
      audit.close().block(WAIT);
    }
  }
}
