package io.vireo;

import java.util.Optional;

/**
 * An event as publisher and subscriber wrappers see it: decoded payload, topic, key, headers.
 *
 * @param topic where it is published
 * @param key orders events: those with one key are delivered in publishing order
 * @param headers the message headers ({@code vireo-message-id}, {@code traceparent}, ...)
 * @param payload the event object
 */
public record Event(String topic, Optional<String> key, Headers headers, Object payload) {
  public Event withHeader(String name, String value) {
    return new Event(topic, key, headers.with(name, value), payload);
  }
}
