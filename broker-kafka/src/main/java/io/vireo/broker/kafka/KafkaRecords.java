package io.vireo.broker.kafka;

import io.vireo.Headers;
import io.vireo.VireoException;
import io.vireo.broker.DeadLetterHeaders;
import io.vireo.broker.Message;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Messages to Kafka records and back: key and header values are UTF-8. */
final class KafkaRecords {
  private static final Logger logger = LoggerFactory.getLogger(KafkaRecords.class);
  private static final byte[] EMPTY = new byte[0];
  private static final int RECORD_OVERHEAD = 256;

  private KafkaRecords() {}

  static ProducerRecord<byte[], byte[]> toRecord(String topic, Message message) {
    // sized up front: RecordHeaders' own list would grow past its first header on every record
    Header[] headers = new Header[message.headers().size()];
    int[] next = {0};
    message
        .headers()
        .forEach((name, value) -> headers[next[0]++] = new RecordHeader(name, utf8(value)));
    byte[] key = message.key().map(KafkaRecords::utf8).orElse(null);
    return new ProducerRecord<>(topic, null, key, message.payload(), new RecordHeaders(headers));
  }

  /**
   * About what {@code record} takes in the producer's buffer: key, value and an allowance for the
   * headers and the record's framing (an estimate for back-pressure, not worth a pass over the
   * headers).
   */
  static long sizeOf(ProducerRecord<byte[], byte[]> record) {
    return RECORD_OVERHEAD
        + (record.key() == null ? 0 : record.key().length)
        + (record.value() == null ? 0 : record.value().length);
  }

  /** The message a handler sees; {@code redelivery} > 0 adds {@link Message#REDELIVERY}. */
  static Message toMessage(ConsumerRecord<byte[], byte[]> record, int redelivery) {
    Headers headers = Headers.empty();
    for (Header header : record.headers()) {
      String value =
          header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
      try {
        headers = headers.with(header.key(), value);
      } catch (IllegalArgumentException e) {
        // a header a foreign producer wrote that Vireo's headers cannot hold (line break, odd name)
        logger.debug(
            "dropping header {} of {}-{}@{}: {}",
            header.key(),
            record.topic(),
            record.partition(),
            record.offset(),
            e.getMessage());
      }
    }
    if (redelivery > 0) {
      headers = headers.with(Message.REDELIVERY, Integer.toString(redelivery));
    }
    Optional<String> key =
        record.key() == null
            ? Optional.empty()
            : Optional.of(new String(record.key(), StandardCharsets.UTF_8));
    return new Message(
        record.topic(), key, headers, record.value() == null ? EMPTY : record.value());
  }

  /**
   * The record for {@code <topic>.DLT}: key, value and headers of the original, and why it failed.
   */
  static ProducerRecord<byte[], byte[]> toDeadLetter(
      ConsumerRecord<byte[], byte[]> record, VireoException error) {
    RecordHeaders headers = new RecordHeaders();
    for (Header header : record.headers()) {
      // copied as bytes: a foreign producer's header that Vireo's headers cannot hold survives
      if (!DeadLetterHeaders.replaced(header.key())) {
        headers.add(header);
      }
    }
    DeadLetterHeaders.added(record.topic(), record.partition(), record.offset(), error)
        .forEach((name, value) -> headers.add(name, utf8(value)));
    return new ProducerRecord<>(
        Message.deadLetterTopic(record.topic()), null, record.key(), record.value(), headers);
  }

  static byte[] utf8(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }
}
