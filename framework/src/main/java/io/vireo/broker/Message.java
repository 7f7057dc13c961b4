package io.vireo.broker;

import io.vireo.Headers;
import java.util.Optional;

/**
 * An event as the broker carries it: topic, optional key (ordering per key), headers and the
 * codec's bytes. Headers: {@code content-type}, {@code vireo-message-id}, {@code vireo-type},
 * {@code traceparent}, {@code vireo-published-at}.
 */
public record Message(String topic, Optional<String> key, Headers headers, byte[] payload) {
  public static final String CONTENT_TYPE = "content-type";
  public static final String MESSAGE_ID = "vireo-message-id";
  public static final String TYPE = "vireo-type";
  public static final String PUBLISHED_AT = "vireo-published-at";

  /** How many times this message was delivered before (0 on the first delivery). */
  public static final String REDELIVERY = "vireo-redelivery";

  /** Dead letters: the topic, partition and offset the message came from, and why it failed. */
  public static final String DLT_ORIGINAL_TOPIC = "vireo-dlt-original-topic";

  public static final String DLT_ORIGINAL_PARTITION = "vireo-dlt-original-partition";
  public static final String DLT_ORIGINAL_OFFSET = "vireo-dlt-original-offset";
  public static final String DLT_ERROR = "vireo-dlt-error";

  /** The status of the error that sent the message to the dead-letter topic. */
  public static final String DLT_STATUS = "vireo-dlt-status";

  public Message {
    if (topic.isEmpty()) {
      throw new IllegalArgumentException("topic: empty (expected: a name such as user.created)");
    }
  }

  /** The dead-letter topic of {@code topic}. */
  public static String deadLetterTopic(String topic) {
    return topic + ".DLT";
  }
}
