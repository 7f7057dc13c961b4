package io.vireo.broker.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.vireo.Headers;
import io.vireo.broker.Message;
import io.vireo.testing.kafka.KafkaExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;

/** On which thread {@code KafkaProducer.send} runs when the producer's buffer pool fills. */
class KafkaPublishThreadsTest {
  @RegisterExtension static final KafkaExtension KAFKA = KafkaExtension.shared();

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int PARTITIONS = 4;

  /** Notes the thread of each send: a producer interceptor's onSend runs inside send. */
  public static final class SendThreads implements ProducerInterceptor<byte[], byte[]> {
    static final Map<String, String> BY_KEY = new ConcurrentHashMap<>();

    @Override
    public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> record) {
      if (record.key() != null) {
        BY_KEY.put(
            new String(record.key(), StandardCharsets.UTF_8), Thread.currentThread().getName());
      }
      return record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {}

    @Override
    public void close() {}

    @Override
    public void configure(Map<String, ?> configs) {}
  }

  @Test
  void sendsLeaveTheCallersThreadOnceOpenBatchesTakeHalfThePool() {
    String topic = "pool." + UUID.randomUUID();
    // a 1 MB pool lends 256 KB to each partition with an open batch; linger keeps them open while
    // the test publishes one small record to each partition
    KafkaBroker broker =
        KafkaBroker.builder()
            .bootstrapServers(KAFKA.bootstrapServers())
            .topicPartitions(PARTITIONS)
            .producerProperty("batch.size", String.valueOf(256 * 1024))
            .producerProperty("buffer.memory", String.valueOf(1024 * 1024))
            .producerProperty("linger.ms", "3000")
            .producerProperty("interceptor.classes", SendThreads.class.getName())
            .build();
    try {
      broker.publish(message(topic, topic + "-warm")).block(WAIT); // the topic is warm now
      List<String> keys = keysOfEachPartition(topic);
      List<Mono<Void>> publishes = new ArrayList<>();
      for (String key : keys) {
        publishes.add(broker.publish(message(topic, key)));
      }
      Mono.when(publishes).block(WAIT); // subscribed, so sent or queued, one by one on this thread

      String caller = Thread.currentThread().getName();
      // the first record's partition opened a batch in a pool with room: sent right here
      assertThat(SendThreads.BY_KEY.get(keys.get(0))).isEqualTo(caller);
      // by the last one, three batches of 256 KB are out of 1 MB: send could block, so it is not
      // called on the caller's thread
      assertThat(SendThreads.BY_KEY.get(keys.get(PARTITIONS - 1))).startsWith("vireo-kafka-send-");
    } finally {
      broker.close().block(WAIT);
    }
  }

  /** One key per partition, as the producer's partitioner places keyed records. */
  private static List<String> keysOfEachPartition(String topic) {
    List<String> keys = new ArrayList<>();
    Set<Integer> partitions = new HashSet<>();
    for (int i = 0; keys.size() < PARTITIONS; i++) {
      String key = topic + "-" + i;
      int partition =
          Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
      if (partitions.add(partition)) {
        keys.add(key);
      }
    }
    return keys;
  }

  private static Message message(String topic, String key) {
    return new Message(
        topic, Optional.of(key), Headers.empty(), "x".getBytes(StandardCharsets.UTF_8));
  }
}
