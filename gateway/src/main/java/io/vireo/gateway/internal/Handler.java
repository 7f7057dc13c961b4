package io.vireo.gateway.internal;

import reactor.core.publisher.Mono;

/** Answers an exchange: a route's target, or the rest of a filter chain. */
@FunctionalInterface
public interface Handler {
  Mono<Reply> handle(Exchange exchange);
}
