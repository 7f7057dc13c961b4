package io.vireo.broker.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vireo.Headers;
import io.vireo.broker.Message;
import io.vireo.broker.SubscribeOptions;
import io.vireo.testing.kafka.KafkaExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;

/** Programs that Vireo did not write read what Vireo publishes, and the other way round. */
class KafkaInteropTest {
  @RegisterExtension static final KafkaExtension KAFKA = KafkaExtension.shared();

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static KafkaBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = KafkaBroker.builder().bootstrapServers(KAFKA.bootstrapServers()).build();
  }

  @AfterAll
  static void closeBroker() {
    broker.close().block(WAIT);
  }

  @Test
  void plainConsumerReadsVireoRecordWithDocumentedHeaders() {
    String topic = "interop.out." + UUID.randomUUID();
    KAFKA.createTopic(topic, 1);
    Headers headers =
        Headers.of(
            Message.CONTENT_TYPE, "application/json",
            Message.MESSAGE_ID, "6f1c7a52-3d0b-4d55-9a5e-1f2d3c4b5a69",
            Message.TYPE, "vireo.samples.events.OrderPlaced",
            Headers.TRACEPARENT, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            Message.PUBLISHED_AT, "2026-11-24T10:15:30.123Z");
    broker
        .publish(
            new Message(
                topic,
                Optional.of("order-7"),
                headers,
                "{\"order\":7}".getBytes(StandardCharsets.UTF_8)))
        .block(WAIT);

    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      // bounded: at most 50 polls of at most 200 ms
      for (int polls = 0; polls < 50 && records.isEmpty(); polls++) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }

    assertThat(records).hasSize(1);
    ConsumerRecord<String, String> record = records.get(0);
    assertThat(record.key()).isEqualTo("order-7");
    assertThat(record.value()).isEqualTo("{\"order\":7}");
    Map<String, String> received = new HashMap<>();
    for (Header header : record.headers()) {
      received.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
    }
    assertThat(received).isEqualTo(headers.asMap());
  }

  @Test
  void plainProducerRecordReachesVireoSubscriber() {
    String topic = "interop.in." + UUID.randomUUID();
    Queue<Message> received = new ConcurrentLinkedQueue<>();
    broker
        .subscribe(
            topic,
            SubscribeOptions.builder().group("interop-" + topic).build(),
            message -> {
              received.add(message);
              return Mono.empty();
            })
        .block(WAIT);

    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      ProducerRecord<String, String> record =
          new ProducerRecord<>(topic, "customer-3", "plain text");
      record.headers().add("content-type", "text/plain".getBytes(StandardCharsets.UTF_8));
      record.headers().add("X-Request-Id", "req-17".getBytes(StandardCharsets.UTF_8));
      producer.send(record);
      producer.flush();
    }

    await().atMost(WAIT).until(() -> !received.isEmpty());
    Message message = received.peek();
    assertThat(message.topic()).isEqualTo(topic);
    assertThat(message.key()).contains("customer-3");
    assertThat(new String(message.payload(), StandardCharsets.UTF_8)).isEqualTo("plain text");
    assertThat(message.headers().asMap())
        .containsEntry("content-type", "text/plain")
        .containsEntry("x-request-id", "req-17");
  }
}
