package io.vireo.broker;

import reactor.core.publisher.Mono;

/**
 * Handles one message; it is acknowledged when the {@code Mono} completes, redelivered on error.
 */
@FunctionalInterface
public interface MessageHandler {
  Mono<Void> handle(Message message);
}
