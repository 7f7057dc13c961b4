package io.vireo.broker.kafka;

import io.vireo.Status;
import io.vireo.VireoException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The broker's Admin client: topic names checked, topics created on first use (once each, again
 * after a failure), and whether the cluster answers.
 */
final class KafkaTopics {
  private static final Logger logger = LoggerFactory.getLogger(KafkaTopics.class);
  private static final Pattern LEGAL_TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  private final Admin admin;
  private final String bootstrapServers;
  private final boolean autoCreate;
  private final int partitions;
  private final short replicationFactor;
  private final Map<String, Mono<Void>> created = new ConcurrentHashMap<>();
  private final KafkaReachability reachability = new KafkaReachability();

  KafkaTopics(Admin admin, KafkaBroker.Builder settings) {
    this.admin = admin;
    this.bootstrapServers = settings.bootstrapServers;
    this.autoCreate = settings.autoCreateTopics;
    this.partitions = settings.topicPartitions;
    this.replicationFactor = settings.topicReplicationFactor;
  }

  /** An INVALID_ARGUMENT error if Kafka would refuse {@code topic} as a name. */
  static Optional<VireoException> check(String topic) {
    if (!LEGAL_TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
      return Optional.of(
          VireoException.of(
              Status.INVALID_ARGUMENT,
              "topic: '%s' (expected: 1 to 249 of a-z A-Z 0-9 . _ -)",
              topic));
    }
    return Optional.empty();
  }

  /** Completes when {@code topic} exists (at once when topics are not created by Vireo). */
  Mono<Void> ensure(String topic) {
    if (!autoCreate) {
      return Mono.empty();
    }
    return created.computeIfAbsent(
        topic, name -> create(name).doOnError(error -> created.remove(name)).cache());
  }

  private Mono<Void> create(String topic) {
    NewTopic newTopic =
        new NewTopic(
            topic,
            Optional.of(partitions),
            replicationFactor > 0 ? Optional.of(replicationFactor) : Optional.empty());
    return Mono.defer(
            () ->
                Mono.fromCompletionStage(
                    admin.createTopics(List.of(newTopic)).all().toCompletionStage()))
        .onErrorResume(
            error -> KafkaErrors.unwrap(error) instanceof TopicExistsException,
            error -> Mono.empty())
        .doOnSuccess(ignored -> logger.debug("topic {} is there", topic))
        .onErrorMap(error -> KafkaErrors.toVireo("create topic " + topic, error))
        .then();
  }

  /** The cached answer of {@link KafkaReachability}. */
  Mono<Boolean> reachable() {
    return reachability.check(admin, bootstrapServers);
  }

  /** Blocks up to {@code timeout}: call it off the event loop. */
  void close(Duration timeout) {
    admin.close(timeout);
  }
}
