package io.vireo.broker;

import reactor.core.publisher.Mono;

/**
 * Carries events between services. Delivery is at-least-once: a message is acknowledged only after
 * its handler's {@code Mono} completed; a failing message is retried, then sent to {@code
 * <topic>.DLT}. A handler error with status INVALID_ARGUMENT (an undecodable message) is not
 * retried: it goes to the dead-letter topic at once. {@code memory} (one JVM) is built in; {@code
 * kafka} comes with the broker-kafka module.
 */
public interface Broker {
  /**
   * Completes when the broker has accepted the message for every group; UNAVAILABLE if it cannot.
   */
  Mono<Void> publish(Message message);

  /**
   * Starts consuming {@code topic} in the options' queue group (which must be set). Completes when
   * the subscription is live.
   */
  Mono<Subscription> subscribe(String topic, SubscribeOptions options, MessageHandler handler);

  /** Closes every subscription (gracefully) and the broker's connections. */
  Mono<Void> close();

  /**
   * Whether the broker can be reached now, for readiness ({@code /health/ready}). Must answer
   * quickly from state the broker keeps, without a round trip that blocks; those that cannot tell
   * say yes.
   */
  default Mono<Boolean> reachable() {
    return Mono.just(true);
  }
}
