package io.vireo.broker.kafka;

import io.vireo.Headers;
import io.vireo.VireoException;
import io.vireo.broker.Message;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Messages to Kafka records and back: key and header values are UTF-8. */
final class KafkaRecords {
  private static final Logger logger = LoggerFactory.getLogger(KafkaRecords.class);
  private static final byte[] EMPTY = new byte[0];
  private static final int MAX_ERROR_LENGTH = 1000;
  private static final int RECORD_OVERHEAD = 256;
  private static final Set<String> DEAD_LETTER_HEADERS = Set.of(
      Message.DLT_ORIGINAL_TOPIC, Message.DLT_ORIGINAL_PARTITION, Message.DLT_ORIGINAL_OFFSET,
      Message.DLT_ERROR, Message.DLT_STATUS, Message.REDELIVERY);

  private KafkaRecords() {}

  static ProducerRecord<byte[], byte[]> toRecord(String topic, Message message) {
    RecordHeaders headers = new RecordHeaders();
    message.headers().forEach((name, value) -> headers.add(name, utf8(value)));
    byte[] key = message.key().map(KafkaRecords::utf8).orElse(null);
    return new ProducerRecord<>(topic, null, key, message.payload(), headers);
  }

  /**
   * About what {@code record} takes in the producer's buffer: key, value and an allowance for
   * the headers and the record's framing (an estimate for back-pressure, not worth a pass over
   * the headers).
   */
  static long sizeOf(ProducerRecord<byte[], byte[]> record) {
    return RECORD_OVERHEAD + (record.key() == null ? 0 : record.key().length)
        + (record.value() == null ? 0 : record.value().length);
  }

  /** The message a handler sees; {@code redelivery} > 0 adds {@link Message#REDELIVERY}. */
  static Message toMessage(ConsumerRecord<byte[], byte[]> record, int redelivery) {
    Headers headers = Headers.empty();
    for (Header header : record.headers()) {
      String value = header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
      try {
        headers = headers.with(header.key(), value);
      } catch (IllegalArgumentException e) {
        // a header a foreign producer wrote that Vireo's headers cannot hold (line break, odd name)
        logger.debug("dropping header {} of {}-{}@{}: {}", header.key(), record.topic(), record.partition(),
            record.offset(), e.getMessage());
      }
    }
    if (redelivery > 0) {
      headers = headers.with(Message.REDELIVERY, Integer.toString(redelivery));
    }
    Optional<String> key = record.key() == null
        ? Optional.empty()
        : Optional.of(new String(record.key(), StandardCharsets.UTF_8));
    return new Message(record.topic(), key, headers, record.value() == null ? EMPTY : record.value());
  }

  /** The record for {@code <topic>.DLT}: key, value and headers of the original, and why it failed. */
  static ProducerRecord<byte[], byte[]> toDeadLetter(ConsumerRecord<byte[], byte[]> record, VireoException error) {
    RecordHeaders headers = new RecordHeaders();
    for (Header header : record.headers()) {
      if (!DEAD_LETTER_HEADERS.contains(header.key())) {
        headers.add(header);
      }
    }
    headers.add(Message.DLT_ORIGINAL_TOPIC, utf8(record.topic()));
    headers.add(Message.DLT_ORIGINAL_PARTITION, utf8(Integer.toString(record.partition())));
    headers.add(Message.DLT_ORIGINAL_OFFSET, utf8(Long.toString(record.offset())));
    headers.add(Message.DLT_ERROR, utf8(oneLine(error.getMessage())));
    headers.add(Message.DLT_STATUS, utf8(error.status().name()));
    return new ProducerRecord<>(Message.deadLetterTopic(record.topic()), null, record.key(), record.value(), headers);
  }

  private static String oneLine(String message) {
    String line = message == null ? "" : message.replace('\r', ' ').replace('\n', ' ');
    return line.length() <= MAX_ERROR_LENGTH ? line : line.substring(0, MAX_ERROR_LENGTH);
  }

  static byte[] utf8(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }
}
