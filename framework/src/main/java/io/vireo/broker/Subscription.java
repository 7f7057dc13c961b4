package io.vireo.broker;

import reactor.core.publisher.Mono;

/** A live subscription. */
public interface Subscription {
  String topic();

  /** The queue group: every group gets every message once; its members share the work. */
  String group();

  /** Stops taking messages, lets in-flight handlers finish (bounded), acknowledges, closes. */
  Mono<Void> close();
}
