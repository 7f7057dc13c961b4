package io.vireo.wrapper;

import io.vireo.Event;
import reactor.core.publisher.Mono;

/** Publishes one event; completes when the broker accepted it. */
@FunctionalInterface
public interface PublishFunction {
  Mono<Void> publish(Event event);
}
