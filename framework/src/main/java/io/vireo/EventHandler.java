package io.vireo;

import org.reactivestreams.Publisher;

/**
 * Handles one event of a subscription. The event is acknowledged when the returned publisher
 * completes; an error signal means "deliver it again" (up to the subscription's retries, then the
 * dead-letter topic).
 */
@FunctionalInterface
public interface EventHandler<T> {
  Publisher<?> handle(T event);
}
