package io.vireo.broker.kafka;

import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.broker.Message;
import io.vireo.broker.MessageHandler;
import io.vireo.broker.SubscribeOptions;
import io.vireo.broker.Subscription;
import io.vireo.config.Values;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * The consuming side of a {@link KafkaBroker}: a subscription's consumer group, its topics created
 * first (or later, while Kafka is away), and the subscriptions still open.
 */
final class KafkaSubscriptions {
  private static final Logger logger = LoggerFactory.getLogger(KafkaSubscriptions.class);
  private static final AtomicInteger CLIENT_SEQUENCE = new AtomicInteger();

  private final KafkaBroker.Builder settings;
  private final KafkaClients clients;
  private final KafkaTopics topics;
  private final KafkaPublisher publisher;
  private final BooleanSupplier closed;
  private final Set<KafkaSubscription> open = ConcurrentHashMap.newKeySet();

  KafkaSubscriptions(
      KafkaBroker.Builder settings,
      KafkaClients clients,
      KafkaTopics topics,
      KafkaPublisher publisher,
      BooleanSupplier closed) {
    this.settings = settings;
    this.clients = clients;
    this.topics = topics;
    this.publisher = publisher;
    this.closed = closed;
  }

  Mono<Subscription> subscribe(String topic, SubscribeOptions options, MessageHandler handler) {
    return Mono.defer(
        () -> {
          Optional<VireoException> invalid = KafkaTopics.check(topic);
          if (invalid.isPresent()) {
            return Mono.error(invalid.get());
          }
          Optional<String> group = options.group().filter(name -> !name.isBlank());
          if (group.isEmpty()) {
            return Mono.error(
                VireoException.of(
                    Status.INVALID_ARGUMENT,
                    "group: empty (expected: a queue group, e.g. the service name)"));
          }
          String groupId =
              options.broadcast() ? group.get() + ".broadcast." + UUID.randomUUID() : group.get();
          Mono<Void> created =
              topics
                  .ensure(topic)
                  .and(
                      options.deadLetter()
                          ? topics.ensure(Message.deadLetterTopic(topic))
                          : Mono.empty());
          // Kafka down: subscribe at once and let the consumer connect when it can, rather than
          // holding the service's start for the topic and partition timeouts (20 s by default)
          return topics
              .reachable()
              .flatMap(
                  up -> {
                    if (!up) {
                      logger.warn(
                          "Kafka at {} is unreachable: the subscription to {} in group {} starts now and gets its events"
                              + " once Kafka answers",
                          settings.bootstrapServers,
                          topic,
                          groupId);
                      created
                          .retryWhen(
                              Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1))
                                  .maxBackoff(Duration.ofSeconds(30))
                                  .filter(error -> !closed.getAsBoolean()))
                          .subscribe(
                              null,
                              error ->
                                  logger.debug(
                                      "topic {} not created: {}", topic, error.toString()));
                      return Mono.fromCallable(() -> open(topic, groupId, options, handler));
                    }
                    Mono<Void> ready =
                        created
                            .timeout(settings.subscribeTimeout)
                            .onErrorResume(
                                error -> {
                                  // the consumer keeps trying; the topic may appear later or be
                                  // auto-created by Kafka
                                  logger.warn(
                                      "cannot create topic {} (or its dead-letter topic) on {}: {}",
                                      topic,
                                      settings.bootstrapServers,
                                      error.getMessage());
                                  return Mono.empty();
                                });
                    return ready.then(Mono.defer(() -> start(topic, groupId, options, handler)));
                  });
        });
  }

  /** Closes every open subscription (each waits for its running handlers). */
  Mono<Void> closeAll() {
    return Flux.fromIterable(List.copyOf(open)).flatMap(KafkaSubscription::close).then();
  }

  private KafkaSubscription open(
      String topic, String groupId, SubscribeOptions options, MessageHandler handler) {
    KafkaSubscription subscription =
        new KafkaSubscription(
            topic,
            groupId,
            options,
            handler,
            clients.consumer(groupId, options.broadcast(), CLIENT_SEQUENCE.incrementAndGet()),
            settings.pollTimeout,
            settings.commitInterval,
            settings.shutdownTimeout,
            settings.maxPendingPerPartition,
            settings.retryBackoff,
            publisher::sendDeadLetter,
            open::remove);
    open.add(subscription);
    subscription.start();
    return subscription;
  }

  private Mono<Subscription> start(
      String topic, String groupId, SubscribeOptions options, MessageHandler handler) {
    KafkaSubscription subscription = open(topic, groupId, options, handler);
    return subscription
        .live()
        .timeout(settings.subscribeTimeout)
        .onErrorResume(
            TimeoutException.class,
            timeout -> {
              logger.warn(
                  "subscription to {} in group {} has no partitions after {}; it keeps trying ({})",
                  topic,
                  groupId,
                  Values.format(settings.subscribeTimeout),
                  settings.bootstrapServers);
              return Mono.empty();
            })
        .thenReturn(subscription);
  }
}
