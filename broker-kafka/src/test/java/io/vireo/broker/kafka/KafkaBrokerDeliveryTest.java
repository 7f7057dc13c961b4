package io.vireo.broker.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vireo.Headers;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.broker.Message;
import io.vireo.broker.MessageHandler;
import io.vireo.broker.SubscribeOptions;
import io.vireo.broker.Subscription;
import io.vireo.testing.kafka.KafkaExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/** Volume, failures, stops and back-pressure against a real broker. */
class KafkaBrokerDeliveryTest {
  @RegisterExtension static final KafkaExtension KAFKA = KafkaExtension.shared();

  private static final Duration WAIT = Duration.ofSeconds(90);

  private final List<KafkaBroker> brokers = new ArrayList<>();

  @AfterEach
  void closeBrokers() {
    Flux.fromIterable(brokers).flatMap(KafkaBroker::close).then().block(WAIT);
  }

  @Test
  void tenThousandEventsReachTwoInstancesOfOneGroupAndEveryGroup() {
    String topic = topic("volume");
    KAFKA.createTopic(topic, 4);
    KafkaBroker first = broker(KafkaBroker.builder());
    KafkaBroker second = broker(KafkaBroker.builder());
    Set<String> workers = ConcurrentHashMap.newKeySet();
    AtomicInteger onFirst = new AtomicInteger();
    AtomicInteger onSecond = new AtomicInteger();
    Set<String> audit = ConcurrentHashMap.newKeySet();
    String group = "workers-" + topic;
    first
        .subscribe(topic, options(group).concurrency(4).build(), collect(workers, onFirst))
        .block(WAIT);
    second
        .subscribe(topic, options(group).concurrency(4).build(), collect(workers, onSecond))
        .block(WAIT);
    second
        .subscribe(topic, options("audit-" + topic).build(), collect(audit, new AtomicInteger()))
        .block(WAIT);

    int count = 10_000;
    Flux.range(0, count)
        .flatMap(i -> first.publish(message(topic, "key-" + (i % 100), "event-" + i)), 256)
        .then()
        .block(WAIT);

    await().atMost(WAIT).until(() -> workers.size() == count && audit.size() == count);
    assertThat(workers).containsAll(expected("event-", count));
    assertThat(audit).containsAll(expected("event-", count));
    assertThat(onFirst.get()).as("events the first instance handled").isPositive();
    assertThat(onSecond.get()).as("events the second instance handled").isPositive();
    assertThat(onFirst.get() + onSecond.get()).isGreaterThanOrEqualTo(count);
  }

  @Test
  void failedEventsArriveAgainAndTheAlwaysFailingOneIsDeadLettered() {
    String topic = topic("failing");
    KafkaBroker broker = broker(KafkaBroker.builder());
    Queue<Message> deadLetters = new ConcurrentLinkedQueue<>();
    broker
        .subscribe(
            Message.deadLetterTopic(topic),
            options("dlt-" + topic).build(),
            message -> {
              deadLetters.add(message);
              return Mono.empty();
            })
        .block(WAIT);
    Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    Set<String> handled = ConcurrentHashMap.newKeySet();
    SubscribeOptions options =
        options("failing-" + topic)
            .concurrency(4)
            .maxRetries(2)
            .retryBackoff(Duration.ofMillis(5))
            .build();
    broker
        .subscribe(
            topic,
            options,
            message -> {
              String text = text(message);
              int attempt =
                  attempts.computeIfAbsent(text, t -> new AtomicInteger()).incrementAndGet();
              if (text.equals("poison")) {
                return Mono.error(VireoException.of(Status.INTERNAL, "poison never works"));
              }
              if (Integer.parseInt(text.substring("event-".length())) % 7 == 0 && attempt == 1) {
                return Mono.error(new IllegalStateException("first try fails"));
              }
              handled.add(text);
              return Mono.empty();
            })
        .block(WAIT);

    int count = 500;
    Headers poisonHeaders =
        Headers.of(Message.MESSAGE_ID, "poison-id", Message.CONTENT_TYPE, "text/plain");
    Flux.range(0, count)
        .flatMap(i -> broker.publish(message(topic, "key-" + (i % 20), "event-" + i)), 64)
        .then(
            broker.publish(
                new Message(topic, Optional.of("key-poison"), poisonHeaders, bytes("poison"))))
        .block(WAIT);

    await().atMost(WAIT).until(() -> handled.size() == count && !deadLetters.isEmpty());
    assertThat(handled).containsExactlyInAnyOrderElementsOf(expected("event-", count));
    IntStream.range(0, count)
        .filter(i -> i % 7 == 0)
        .forEach(
            i ->
                assertThat(attempts.get("event-" + i).get())
                    .as("deliveries of event-%d", i)
                    .isGreaterThanOrEqualTo(2));
    assertThat(attempts.get("poison")).hasValue(3);
    Message dead = deadLetters.peek();
    assertThat(text(dead)).isEqualTo("poison");
    assertThat(dead.key()).contains("key-poison");
    assertThat(dead.headers().asMap())
        .containsAllEntriesOf(poisonHeaders.asMap())
        .containsEntry(Message.DLT_ORIGINAL_TOPIC, topic)
        .containsEntry(Message.DLT_STATUS, "INTERNAL")
        .containsEntry(Message.DLT_ERROR, "poison never works")
        .containsKeys(Message.DLT_ORIGINAL_PARTITION, Message.DLT_ORIGINAL_OFFSET);
  }

  @Test
  void gracefullyStoppedInstanceLosesNothing() {
    String topic = topic("graceful");
    KAFKA.createTopic(topic, 4);
    KafkaBroker stopping = broker(KafkaBroker.builder());
    KafkaBroker staying = broker(KafkaBroker.builder());
    Queue<String> onStopping = new ConcurrentLinkedQueue<>();
    Queue<String> onStaying = new ConcurrentLinkedQueue<>();
    String group = "graceful-" + topic;
    Subscription leaving =
        stopping.subscribe(topic, options(group).build(), slowly(onStopping)).block(WAIT);
    staying.subscribe(topic, options(group).build(), slowly(onStaying)).block(WAIT);

    int count = 3000;
    publishAll(stopping, topic, count);
    await().atMost(WAIT).until(() -> onStopping.size() >= 100);
    StepVerifier.create(leaving.close()).expectComplete().verify(WAIT);
    int handledBeforeStop = onStopping.size();

    await().atMost(WAIT).until(() -> distinct(onStopping, onStaying).size() == count);
    assertThat(distinct(onStopping, onStaying)).containsAll(expected("event-", count));
    assertThat(onStopping).as("deliveries after the close completed").hasSize(handledBeforeStop);
    // everything the stopped instance finished was committed: nothing was handled twice
    assertThat(onStopping.size() + onStaying.size()).isEqualTo(count);
  }

  @Test
  void instanceClosedWithoutCommitLosesNothing() {
    String topic = topic("crash");
    KAFKA.createTopic(topic, 4);
    // this instance commits only on a rebalance: everything it handles afterwards is uncommitted
    KafkaBroker crashing = broker(KafkaBroker.builder().commitInterval(Duration.ofHours(1)));
    KafkaBroker staying = broker(KafkaBroker.builder());
    Queue<String> onCrashing = new ConcurrentLinkedQueue<>();
    Queue<String> onStaying = new ConcurrentLinkedQueue<>();
    String group = "crash-" + topic;
    Subscription crashed =
        crashing.subscribe(topic, options(group).build(), slowly(onCrashing)).block(WAIT);
    staying.subscribe(topic, options(group).build(), slowly(onStaying)).block(WAIT);

    int count = 2000;
    publishAll(staying, topic, count);
    await().atMost(WAIT).until(() -> onCrashing.size() >= 100);
    StepVerifier.create(((KafkaSubscription) crashed).abort()).expectComplete().verify(WAIT);
    Set<String> handledByCrashed = new HashSet<>(onCrashing);

    await().atMost(WAIT).until(() -> distinct(onCrashing, onStaying).size() == count);
    assertThat(distinct(onCrashing, onStaying)).containsAll(expected("event-", count));
    assertThat(new HashSet<>(onStaying))
        .as("the other instance got what the crashed one never committed")
        .containsAll(handledByCrashed);
  }

  @Test
  void oneCallersEventsKeepTheirOrderWhileTheTopicWarmsUp() {
    // the topic is new: the first sends wait for its creation and go through the sender thread,
    // later ones go out on the caller's thread; none may overtake an earlier one
    String topic = topic("warming");
    KafkaBroker broker = broker(KafkaBroker.builder());
    Queue<String> seen = new ConcurrentLinkedQueue<>();
    broker
        .subscribe(
            topic,
            options("ordered-" + topic).build(),
            message -> Mono.fromRunnable(() -> seen.add(text(message))))
        .block(WAIT);

    int count = 3_000;
    Flux.range(0, count)
        .flatMap(i -> broker.publish(message(topic, "one-key", "event-" + i)), 512)
        .then()
        .block(WAIT);

    await().atMost(WAIT).until(() -> seen.size() >= count);
    assertThat(seen).containsExactlyElementsOf(expected("event-", count));
  }

  @Test
  void handlersCompletingOnOtherThreadsKeepOrderAndEveryEventIsHandledOnce() {
    String topic = topic("mixed");
    KAFKA.createTopic(topic, 2);
    KafkaBroker broker = broker(KafkaBroker.builder().maxPendingPerPartition(50));
    Map<String, Queue<Integer>> seen = new ConcurrentHashMap<>();
    AtomicInteger handled = new AtomicInteger();
    // every third handler completes later on a timer thread, the others at once
    broker
        .subscribe(
            topic,
            options("mixed-" + topic).concurrency(3).build(),
            message -> {
              int sequence = Integer.parseInt(text(message).substring("event-".length()));
              seen.computeIfAbsent(
                      message.key().orElseThrow(), key -> new ConcurrentLinkedQueue<>())
                  .add(sequence);
              handled.incrementAndGet();
              return sequence % 3 == 0 ? Mono.delay(Duration.ofMillis(1)).then() : Mono.empty();
            })
        .block(WAIT);

    int count = 2_000;
    int keys = 10;
    publishAll(broker, topic, count, keys);

    await().atMost(WAIT).until(() -> handled.get() >= count);
    assertThat(handled).hasValue(count);
    seen.forEach(
        (key, sequence) -> assertThat(List.copyOf(sequence)).as("order of %s", key).isSorted());
  }

  @Test
  void slowHandlerPausesThePartitionInsteadOfBuffering() {
    String topic = topic("slow");
    KAFKA.createTopic(topic, 1);
    int maxPending = 10;
    int maxPollRecords = 5;
    KafkaBroker broker =
        broker(
            KafkaBroker.builder()
                .maxPendingPerPartition(maxPending)
                .consumerProperty("max.poll.records", String.valueOf(maxPollRecords)));
    Sinks.Empty<Void> gate = Sinks.empty();
    AtomicInteger handled = new AtomicInteger();
    KafkaSubscription subscription =
        (KafkaSubscription)
            broker
                .subscribe(
                    topic,
                    options("slow-" + topic).build(),
                    message -> gate.asMono().doOnSuccess(ignored -> handled.incrementAndGet()))
                .block(WAIT);

    int count = 200;
    publishAll(broker, topic, count);

    await().atMost(WAIT).until(() -> subscription.pausedPartitions() == 1);
    assertThat(subscription.pendingRecords()).isBetween(maxPending, maxPending + maxPollRecords);
    assertThat(handled).hasValue(0);

    gate.tryEmitEmpty();
    await().atMost(WAIT).until(() -> handled.get() >= count);
    await().atMost(WAIT).until(() -> subscription.pausedPartitions() == 0);
  }

  private KafkaBroker broker(KafkaBroker.Builder builder) {
    KafkaBroker broker = builder.bootstrapServers(KAFKA.bootstrapServers()).build();
    brokers.add(broker);
    return broker;
  }

  private static void publishAll(KafkaBroker broker, String topic, int count) {
    publishAll(broker, topic, count, 50);
  }

  /** Publishes {@code count} events over {@code keys} keys, one caller, in order. */
  private static void publishAll(KafkaBroker broker, String topic, int count, int keys) {
    Flux.range(0, count)
        .flatMap(i -> broker.publish(message(topic, "key-" + (i % keys), "event-" + i)), 128)
        .then()
        .block(WAIT);
  }

  /** Records each message after a millisecond: slow enough to stop an instance mid-stream. */
  private static MessageHandler slowly(Queue<String> into) {
    return message ->
        Mono.delay(Duration.ofMillis(1)).then(Mono.fromRunnable(() -> into.add(text(message))));
  }

  private static MessageHandler collect(Set<String> into, AtomicInteger counter) {
    return message -> {
      into.add(text(message));
      counter.incrementAndGet();
      return Mono.empty();
    };
  }

  private static Set<String> distinct(Queue<String> first, Queue<String> second) {
    Set<String> all = new HashSet<>(first);
    all.addAll(second);
    return all;
  }

  private static List<String> expected(String prefix, int count) {
    return IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
  }

  private static SubscribeOptions.Builder options(String group) {
    return SubscribeOptions.builder().group(group);
  }

  private static Message message(String topic, String key, String text) {
    return new Message(
        topic, Optional.of(key), Headers.of(Message.CONTENT_TYPE, "text/plain"), bytes(text));
  }

  private static String topic(String name) {
    return "delivery." + name + "." + UUID.randomUUID().toString().substring(0, 8);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(Message message) {
    return new String(message.payload(), StandardCharsets.UTF_8);
  }
}
