package io.vireo.broker.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vireo.Headers;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.broker.Broker;
import io.vireo.broker.Message;
import io.vireo.broker.SubscribeOptions;
import io.vireo.broker.Subscription;
import io.vireo.broker.spi.BrokerProvider;
import io.vireo.config.Config;
import io.vireo.testing.kafka.KafkaExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class KafkaBrokerConfigTest {
  @RegisterExtension static final KafkaExtension KAFKA = KafkaExtension.shared();

  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void providerNamedKafkaCreatesBrokerFromConfig() {
    BrokerProvider provider =
        ServiceLoader.load(BrokerProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(candidate -> candidate.name().equals("kafka"))
            .findFirst()
            .orElseThrow();
    Broker broker =
        provider.create(
            Config.of(
                Map.of(
                    "vireo.broker.kafka.bootstrap-servers", KAFKA.bootstrapServers(),
                    "vireo.broker.kafka.client-id", "config-test",
                    "vireo.broker.kafka.topic-partitions", "2",
                    "vireo.broker.kafka.producer.linger.ms", "1",
                    "vireo.broker.kafka.consumer.max.poll.records", "10")));
    try {
      String topic = "config." + UUID.randomUUID();
      Queue<String> received = new ConcurrentLinkedQueue<>();
      broker
          .subscribe(
              topic,
              SubscribeOptions.builder().group("config").build(),
              message -> {
                received.add(new String(message.payload(), StandardCharsets.UTF_8));
                return Mono.empty();
              })
          .block(WAIT);
      broker
          .publish(
              new Message(
                  topic,
                  Optional.empty(),
                  Headers.empty(),
                  "hello".getBytes(StandardCharsets.UTF_8)))
          .block(WAIT);
      await().atMost(WAIT).until(() -> received.contains("hello"));
      assertThat(received).containsExactly("hello");
    } finally {
      broker.close().block(WAIT);
    }
  }

  /** The README's example, with the test broker's address. */
  @Test
  void readmeExampleRuns() {
    List<String> seen = new CopyOnWriteArrayList<>();

    KafkaBroker broker =
        KafkaBroker.builder()
            .bootstrapServers(KAFKA.bootstrapServers())
            .publishTimeout(Duration.ofSeconds(5))
            .build();

    Subscription subscription =
        broker
            .subscribe(
                "user.created",
                SubscribeOptions.builder().group("audit").concurrency(4).maxRetries(3).build(),
                message ->
                    Mono.fromRunnable(
                        () -> seen.add(new String(message.payload(), StandardCharsets.UTF_8))))
            .block();

    broker
        .publish(
            new Message(
                "user.created",
                Optional.of("user-42"),
                Headers.of(Message.CONTENT_TYPE, "application/json"),
                "{\"id\":42}".getBytes(StandardCharsets.UTF_8)))
        .block();

    await().atMost(WAIT).until(() -> seen.contains("{\"id\":42}"));
    subscription.close().block();
    broker.close().block();
    assertThat(seen).containsExactly("{\"id\":42}");
  }

  @Test
  void rejectsBadValuesNamingTheKey() {
    assertThatThrownBy(
            () -> KafkaBroker.of(Config.of(Map.of("vireo.broker.kafka.topic-partitions", "0"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("vireo.broker.kafka.topic-partitions: 0 (expected: >= 1)");
    assertThatThrownBy(
            () -> KafkaBroker.of(Config.of(Map.of("vireo.broker.kafka.publish-timeout", "0s"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("vireo.broker.kafka.publish-timeout: PT0S");
    assertThatThrownBy(
            () ->
                KafkaBroker.of(Config.of(Map.of("vireo.broker.kafka.producer.acks", "sometimes"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("acks");
  }

  @Test
  void rejectsSubscriptionToIllegalTopic() {
    KafkaBroker broker = KafkaBroker.builder().bootstrapServers(KAFKA.bootstrapServers()).build();
    try {
      StepVerifier.create(
              broker.subscribe(
                  "no spaces",
                  SubscribeOptions.builder().group("g").build(),
                  message -> Mono.empty()))
          .expectErrorSatisfies(
              error ->
                  assertThat(((VireoException) error).status()).isEqualTo(Status.INVALID_ARGUMENT))
          .verify(WAIT);
    } finally {
      broker.close().block(WAIT);
    }
  }

  @ParameterizedTest(name = "auto-create-topics={0}")
  @ValueSource(booleans = {true, false})
  void publishToUnreachableKafkaFailsUnavailableAfterTheTimeout(boolean autoCreateTopics)
      throws IOException {
    KafkaBroker broker =
        KafkaBroker.builder()
            .bootstrapServers("127.0.0.1:" + closedPort())
            .autoCreateTopics(autoCreateTopics)
            .publishTimeout(Duration.ofSeconds(1))
            .build();
    try {
      StepVerifier.create(
              broker.publish(
                  new Message("unreachable", Optional.empty(), Headers.empty(), new byte[] {1})))
          .expectErrorSatisfies(
              error ->
                  assertThat(error)
                      .isInstanceOfSatisfying(
                          VireoException.class,
                          vireo -> assertThat(vireo.status()).isEqualTo(Status.UNAVAILABLE)))
          .verify(Duration.ofSeconds(30));
    } finally {
      broker.close().block(WAIT);
    }
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
