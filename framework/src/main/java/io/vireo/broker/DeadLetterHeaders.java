package io.vireo.broker;

import io.vireo.Headers;
import io.vireo.VireoException;
import java.util.Set;

/**
 * The headers of a dead letter, built in one place for every broker: the original message's headers
 * without its delivery count or an earlier dead letter's headers, plus {@link
 * Message#DLT_ORIGINAL_TOPIC}, {@link Message#DLT_ORIGINAL_PARTITION}, {@link
 * Message#DLT_ORIGINAL_OFFSET}, {@link Message#DLT_ERROR} (the error's message on one line, at most
 * {@value #MAX_ERROR_LENGTH} characters) and {@link Message#DLT_STATUS}.
 *
 * <pre>{@code
 * Headers headers = DeadLetterHeaders.of(original.headers(), topic, partition, offset, error);
 * broker.publish(new Message(Message.deadLetterTopic(topic), original.key(), headers, original.payload()));
 * }</pre>
 */
public final class DeadLetterHeaders {
  /** The longest {@link Message#DLT_ERROR} value; a longer error message is cut. */
  public static final int MAX_ERROR_LENGTH = 1000;

  private static final Set<String> REPLACED =
      Set.of(
          Message.DLT_ORIGINAL_TOPIC,
          Message.DLT_ORIGINAL_PARTITION,
          Message.DLT_ORIGINAL_OFFSET,
          Message.DLT_ERROR,
          Message.DLT_STATUS,
          Message.REDELIVERY);

  private DeadLetterHeaders() {}

  /** The headers of the dead letter of a message with {@code original} headers. */
  public static Headers of(
      Headers original, String topic, int partition, long offset, VireoException error) {
    Headers kept = original;
    for (String name : REPLACED) {
      kept = kept.without(name);
    }
    return kept.withAll(added(topic, partition, offset, error));
  }

  /**
   * Only the headers a dead letter adds, for a broker that copies the original's headers itself
   * (dropping those {@link #replaced(String)} names).
   */
  public static Headers added(String topic, int partition, long offset, VireoException error) {
    return Headers.of(
        Message.DLT_ORIGINAL_TOPIC, topic,
        Message.DLT_ORIGINAL_PARTITION, Integer.toString(partition),
        Message.DLT_ORIGINAL_OFFSET, Long.toString(offset),
        Message.DLT_ERROR, oneLine(error.getMessage()),
        Message.DLT_STATUS, error.status().name());
  }

  /**
   * Whether header {@code name} of the original is left out of (or replaced in) its dead letter.
   */
  public static boolean replaced(String name) {
    return REPLACED.contains(name);
  }

  private static String oneLine(String message) {
    String line = message == null ? "" : message.replace('\r', ' ').replace('\n', ' ');
    return line.length() <= MAX_ERROR_LENGTH ? line : line.substring(0, MAX_ERROR_LENGTH);
  }
}
