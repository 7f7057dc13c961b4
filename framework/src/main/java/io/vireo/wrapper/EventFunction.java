package io.vireo.wrapper;

import io.vireo.Event;
import reactor.core.publisher.Mono;

/** Handles one received event; it is acknowledged when the {@code Mono} completes. */
@FunctionalInterface
public interface EventFunction {
  Mono<Void> handle(Event event);
}
