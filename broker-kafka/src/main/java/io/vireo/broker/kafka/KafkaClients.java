package io.vireo.broker.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The kafka-clients settings of one broker's producer, Admin client and consumers: Vireo's defaults
 * from the {@link KafkaBroker.Builder}, under the user's {@code producer.*}, {@code consumer.*} and
 * {@code admin.*} properties where those may override them.
 */
final class KafkaClients {
  /**
   * The producer's {@code batch.size} unless {@code producer.batch.size} says otherwise: Kafka's 16
   * KB holds only 13 records of 1 KB with Vireo's headers (~160 bytes each), and the Kafka broker's
   * work per produce request and per batch, not per byte, is most of what a record costs it. A
   * batch is sent when it is full or after {@code linger.ms}, so a bigger one adds no latency.
   */
  static final int DEFAULT_BATCH_SIZE = 64 * 1024;

  private final KafkaBroker.Builder settings;
  private final int brokerId;

  KafkaClients(KafkaBroker.Builder settings, int brokerId) {
    this.settings = settings;
    this.brokerId = brokerId;
  }

  private Map<String, Object> common(String clientId) {
    Map<String, Object> props = new HashMap<>();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
    props.put(
        AdminClientConfig.RETRY_BACKOFF_MS_CONFIG,
        String.valueOf(settings.retryBackoff.toMillis()));
    props.put(
        AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG,
        String.valueOf(settings.reconnectBackoff.toMillis()));
    props.put(
        AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG,
        String.valueOf(settings.reconnectBackoffMax.toMillis()));
    return props;
  }

  Map<String, Object> producer() {
    long timeout = settings.publishTimeout.toMillis();
    Map<String, Object> props = common(settings.clientId + "-producer-" + brokerId);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(timeout));
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(DEFAULT_BATCH_SIZE));
    props.putAll(settings.producer);
    long linger =
        Long.parseLong(String.valueOf(props.getOrDefault(ProducerConfig.LINGER_MS_CONFIG, "5")));
    // Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms
    props.putIfAbsent(
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
        String.valueOf(Math.max(1, Math.min(30_000, timeout - linger))));
    long request =
        Long.parseLong(String.valueOf(props.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG)));
    props.putIfAbsent(
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
        String.valueOf(Math.max(timeout, linger + request)));
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return props;
  }

  Map<String, Object> admin() {
    long timeout = settings.publishTimeout.toMillis();
    Map<String, Object> props = common(settings.clientId + "-admin-" + brokerId);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(timeout));
    props.put(
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.min(30_000, timeout)));
    props.putAll(settings.admin);
    return props;
  }

  /** {@code clientSequence} tells the consumers of one group in one process apart. */
  Map<String, Object> consumer(String groupId, boolean broadcast, int clientSequence) {
    Map<String, Object> props = common(settings.clientId + "-" + groupId + "-" + clientSequence);
    // a new queue group starts at the beginning (it is a new service: it gets every event
    // still kept); a broadcast group is new on every start and reads only what comes next
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, broadcast ? "latest" : "earliest");
    props.putAll(settings.consumer);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return props;
  }

  static long longSetting(Map<String, Object> props, String name, long otherwise) {
    Object value = props.get(name);
    try {
      return value == null ? otherwise : Long.parseLong(String.valueOf(value).trim());
    } catch (NumberFormatException e) {
      return otherwise; // the producer itself rejected anything unparsable already
    }
  }
}
