package io.vireo.testing.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vireo.Headers;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.broker.Broker;
import io.vireo.broker.Message;
import io.vireo.broker.MessageHandler;
import io.vireo.broker.SubscribeOptions;
import io.vireo.broker.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * What every {@link Broker} does, written once: extend it and return the broker under test.
 *
 * <pre>{@code
 * class KafkaBrokerContractTest extends BrokerContract {
 *   @RegisterExtension static final KafkaExtension KAFKA = new KafkaExtension();
 *   static Broker broker;
 *
 *   @BeforeAll static void start() { broker = KafkaBroker.builder().bootstrapServers(KAFKA.bootstrapServers()).build(); }
 *   @AfterAll static void stop() { broker.close().block(); }
 *
 *   @Override protected Broker broker() { return broker; }
 * }
 * }</pre>
 *
 * <p>Each test uses topics and groups of its own and closes its subscriptions; the broker is the
 * subclass's to close. Two members of one group are two subscriptions of that group.
 */
public abstract class BrokerContract {
  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private String suffix = "";

  /** The broker under test (the contract does not close it). */
  protected abstract Broker broker();

  /** The longest the contract waits for a delivery, a publish or a close. */
  protected Duration timeout() {
    return Duration.ofSeconds(30);
  }

  @BeforeEach
  void nameThisTest(TestInfo test) {
    suffix =
        test.getTestMethod().map(method -> method.getName()).orElse("test")
            + "-"
            + UUID.randomUUID().toString().substring(0, 8);
  }

  @AfterEach
  void closeSubscriptions() {
    Flux.fromIterable(subscriptions).flatMap(Subscription::close).then().block(timeout());
    subscriptions.clear();
  }

  @Test
  void deliversPayloadKeyAndHeaders() {
    String topic = topic("round-trip");
    Queue<Message> received = new ConcurrentLinkedQueue<>();
    subscribe(
        topic,
        options("receiver").build(),
        message -> {
          received.add(message);
          return Mono.empty();
        });
    Headers headers =
        Headers.of(
            Message.CONTENT_TYPE,
            "application/json",
            Message.MESSAGE_ID,
            UUID.randomUUID().toString(),
            Message.TYPE,
            "vireo.test.UserCreated",
            Headers.TRACEPARENT,
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            Message.PUBLISHED_AT,
            "2026-11-24T10:15:30.123Z",
            "x-greeting",
            "grüße");
    byte[] payload = "{\"id\":42}".getBytes(StandardCharsets.UTF_8);

    publish(new Message(topic, Optional.of("user-42"), headers, payload));
    publish(
        new Message(
            topic,
            Optional.empty(),
            Headers.of(Message.CONTENT_TYPE, "text/plain"),
            bytes("no key")));

    await().atMost(timeout()).until(() -> received.size() >= 2);
    Message keyed =
        received.stream().filter(message -> message.key().isPresent()).findFirst().orElseThrow();
    assertThat(keyed.topic()).isEqualTo(topic);
    assertThat(keyed.key()).contains("user-42");
    assertThat(keyed.payload()).isEqualTo(payload);
    assertThat(keyed.headers().asMap()).containsAllEntriesOf(headers.asMap());
    assertThat(keyed.headers().get(Message.REDELIVERY).orElse("0")).isEqualTo("0");
    Message unkeyed =
        received.stream().filter(message -> message.key().isEmpty()).findFirst().orElseThrow();
    assertThat(text(unkeyed)).isEqualTo("no key");
    assertThat(unkeyed.headers().get(Message.CONTENT_TYPE)).contains("text/plain");
  }

  @Test
  void everyGroupGetsEveryMessage() {
    String topic = topic("fan-out");
    Queue<String> audit = new ConcurrentLinkedQueue<>();
    Queue<String> billing = new ConcurrentLinkedQueue<>();
    subscribe(topic, options("audit").build(), collectInto(audit));
    subscribe(topic, options("billing").build(), collectInto(billing));

    List<String> sent = publishNumbered(topic, 20);

    await()
        .atMost(timeout())
        .untilAsserted(
            () -> {
              assertThat(new HashSet<>(audit)).containsExactlyInAnyOrderElementsOf(sent);
              assertThat(new HashSet<>(billing)).containsExactlyInAnyOrderElementsOf(sent);
            });
  }

  @Test
  void membersOfOneGroupShareTheWork() {
    String topic = topic("shared");
    Queue<String> first = new ConcurrentLinkedQueue<>();
    Queue<String> second = new ConcurrentLinkedQueue<>();
    subscribe(topic, options("workers").build(), collectInto(first));
    subscribe(topic, options("workers").build(), collectInto(second));

    List<String> sent = publishNumbered(topic, 30);

    await().atMost(timeout()).until(() -> first.size() + second.size() >= sent.size());
    List<String> all = new ArrayList<>(first);
    all.addAll(second);
    assertThat(all).containsExactlyInAnyOrderElementsOf(sent);
    assertThat(first).as("messages the first member got").isNotEmpty();
    assertThat(second).as("messages the second member got").isNotEmpty();
  }

  @Test
  void redeliversAfterHandlerError() {
    String topic = topic("flaky");
    Queue<String> deliveries = new ConcurrentLinkedQueue<>();
    AtomicInteger failures = new AtomicInteger();
    SubscribeOptions options =
        options("flaky").maxRetries(3).retryBackoff(Duration.ofMillis(10)).build();
    Subscription subscription =
        subscribe(
            topic,
            options,
            message -> {
              deliveries.add(
                  text(message) + "#" + message.headers().get(Message.REDELIVERY).orElse("0"));
              if (text(message).equals("flaky") && failures.getAndIncrement() == 0) {
                return Mono.error(VireoException.of(Status.UNAVAILABLE, "database away"));
              }
              return Mono.empty();
            });

    publish(new Message(topic, Optional.of("k"), Headers.empty(), bytes("flaky")));
    publish(new Message(topic, Optional.of("k"), Headers.empty(), bytes("next")));

    await()
        .atMost(timeout())
        .untilAsserted(
            () -> assertThat(deliveries).containsExactly("flaky#0", "flaky#1", "next#0"));

    // acknowledged: a new member of the group does not get them again
    StepVerifier.create(subscription.close()).expectComplete().verify(timeout());
    subscriptions.remove(subscription);
    Queue<String> later = new ConcurrentLinkedQueue<>();
    subscribe(topic, options("flaky").build(), collectInto(later));
    publish(new Message(topic, Optional.of("k"), Headers.empty(), bytes("marker")));
    await().atMost(timeout()).until(() -> later.contains("marker"));
    assertThat(later).containsExactly("marker");
  }

  @Test
  void deadLettersAfterRetries() {
    String topic = topic("poison");
    Queue<Message> deadLetters = new ConcurrentLinkedQueue<>();
    subscribe(
        Message.deadLetterTopic(topic),
        options("dlt-watch").build(),
        message -> {
          deadLetters.add(message);
          return Mono.empty();
        });
    AtomicInteger attempts = new AtomicInteger();
    Queue<String> handled = new ConcurrentLinkedQueue<>();
    SubscribeOptions options =
        options("poisoned").maxRetries(2).retryBackoff(Duration.ofMillis(10)).build();
    subscribe(
        topic,
        options,
        message -> {
          if (text(message).equals("poison")) {
            attempts.incrementAndGet();
            return Mono.error(VireoException.of(Status.INTERNAL, "boom on poison"));
          }
          handled.add(text(message));
          return Mono.empty();
        });
    Headers headers =
        Headers.of(
            Message.CONTENT_TYPE,
            "text/plain",
            Message.MESSAGE_ID,
            "poison-1",
            "x-origin",
            "contract");

    publish(new Message(topic, Optional.of("k"), headers, bytes("poison")));
    publish(new Message(topic, Optional.of("k"), Headers.empty(), bytes("after")));

    await().atMost(timeout()).until(() -> !deadLetters.isEmpty() && handled.contains("after"));
    assertThat(attempts).as("deliveries of the poison message").hasValue(3);
    Message dead = deadLetters.peek();
    assertThat(dead.topic()).isEqualTo(Message.deadLetterTopic(topic));
    assertThat(dead.key()).contains("k");
    assertThat(text(dead)).isEqualTo("poison");
    Map<String, String> dltHeaders = dead.headers().asMap();
    assertThat(dltHeaders)
        .containsAllEntriesOf(headers.asMap())
        .containsEntry(Message.DLT_ORIGINAL_TOPIC, topic)
        .containsEntry(Message.DLT_STATUS, "INTERNAL")
        .containsKeys(Message.DLT_ORIGINAL_PARTITION, Message.DLT_ORIGINAL_OFFSET);
    assertThat(dltHeaders.get(Message.DLT_ERROR)).contains("boom on poison");
    assertThat(Integer.parseInt(dltHeaders.get(Message.DLT_ORIGINAL_PARTITION))).isNotNegative();
    assertThat(Long.parseLong(dltHeaders.get(Message.DLT_ORIGINAL_OFFSET))).isNotNegative();
    assertThat(deadLetters).hasSize(1);
  }

  /**
   * The redelivery scenario every broker runs the same way ({@code RedeliveryPolicy}, {@code
   * DeadLetterHeaders}): a handler that keeps failing gets the message {@code maxRetries} more
   * times, each delivery numbered in {@link Message#REDELIVERY}; then the dead letter has the
   * original's headers without the delivery count, an earlier dead letter's headers replaced, and
   * the error on one line.
   */
  @Test
  void redeliversByTheSharedPolicyThenDeadLetters() {
    String topic = topic("always-failing");
    Queue<Message> deadLetters = new ConcurrentLinkedQueue<>();
    subscribe(
        Message.deadLetterTopic(topic),
        options("dlt-watch").build(),
        message -> {
          deadLetters.add(message);
          return Mono.empty();
        });
    Queue<String> deliveries = new ConcurrentLinkedQueue<>();
    SubscribeOptions options =
        options("failing").maxRetries(3).retryBackoff(Duration.ofMillis(5)).build();
    subscribe(
        topic,
        options,
        message -> {
          deliveries.add(message.headers().get(Message.REDELIVERY).orElse("0"));
          return Mono.error(VireoException.of(Status.UNAVAILABLE, "database\naway"));
        });
    // a message replayed from an earlier dead-letter topic: its old dead-letter headers go
    Headers headers =
        Headers.of(
            "x-origin",
            "contract",
            Message.DLT_ERROR,
            "an older failure",
            Message.DLT_STATUS,
            "INTERNAL");

    publish(new Message(topic, Optional.of("k"), headers, bytes("doomed")));

    await().atMost(timeout()).until(() -> !deadLetters.isEmpty());
    assertThat(deliveries).containsExactly("0", "1", "2", "3");
    Message dead = deadLetters.peek();
    assertThat(text(dead)).isEqualTo("doomed");
    assertThat(dead.key()).contains("k");
    Map<String, String> dltHeaders = dead.headers().asMap();
    assertThat(dltHeaders)
        .containsEntry("x-origin", "contract")
        .containsEntry(Message.DLT_ORIGINAL_TOPIC, topic)
        .containsEntry(Message.DLT_STATUS, "UNAVAILABLE")
        .doesNotContainKey(Message.REDELIVERY)
        .containsKeys(Message.DLT_ORIGINAL_PARTITION, Message.DLT_ORIGINAL_OFFSET);
    assertThat(dltHeaders.get(Message.DLT_ERROR)).contains("database away").doesNotContain("older");
    assertThat(Integer.parseInt(dltHeaders.get(Message.DLT_ORIGINAL_PARTITION))).isNotNegative();
    assertThat(Long.parseLong(dltHeaders.get(Message.DLT_ORIGINAL_OFFSET))).isNotNegative();
  }

  @Test
  void deadLettersInvalidArgumentWithoutRetries() {
    String topic = topic("undecodable");
    Queue<Message> deadLetters = new ConcurrentLinkedQueue<>();
    subscribe(
        Message.deadLetterTopic(topic),
        options("dlt-watch").build(),
        message -> {
          deadLetters.add(message);
          return Mono.empty();
        });
    AtomicInteger attempts = new AtomicInteger();
    Queue<String> handled = new ConcurrentLinkedQueue<>();
    SubscribeOptions options =
        options("decoder").maxRetries(3).retryBackoff(Duration.ofMillis(10)).build();
    subscribe(
        topic,
        options,
        message -> {
          if (text(message).equals("garbage")) {
            attempts.incrementAndGet();
            return Mono.error(
                VireoException.of(Status.INVALID_ARGUMENT, "cannot decode vireo.test.UserCreated"));
          }
          handled.add(text(message));
          return Mono.empty();
        });

    publish(
        new Message(
            topic,
            Optional.of("k"),
            Headers.of(Message.TYPE, "vireo.test.UserCreated"),
            bytes("garbage")));
    publish(new Message(topic, Optional.of("k"), Headers.empty(), bytes("after")));

    await().atMost(timeout()).until(() -> !deadLetters.isEmpty() && handled.contains("after"));
    assertThat(attempts).as("deliveries of the undecodable message").hasValue(1);
    Message dead = deadLetters.peek();
    assertThat(text(dead)).isEqualTo("garbage");
    assertThat(dead.headers().asMap())
        .containsEntry(Message.TYPE, "vireo.test.UserCreated")
        .containsEntry(Message.DLT_ORIGINAL_TOPIC, topic)
        .containsEntry(Message.DLT_STATUS, "INVALID_ARGUMENT");
    assertThat(dead.headers().get(Message.DLT_ERROR).orElse("")).contains("cannot decode");
  }

  @Test
  void keepsOrderPerKeyWithConcurrency() {
    String topic = topic("ordered");
    int keys = 6;
    int perKey = 30;
    int concurrency = 4;
    Map<String, Queue<Integer>> seen = new ConcurrentHashMap<>();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostRunning = new AtomicInteger();
    AtomicInteger count = new AtomicInteger();
    subscribe(
        topic,
        options("ordered").concurrency(concurrency).build(),
        message ->
            Mono.defer(
                () -> {
                  mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                  String key = message.key().orElseThrow();
                  seen.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>())
                      .add(Integer.parseInt(text(message)));
                  count.incrementAndGet();
                  // decremented before the handler's Mono completes, so the broker cannot start the
                  // next first
                  return Mono.delay(Duration.ofMillis(ThreadLocalRandom.current().nextInt(3)))
                      .then(Mono.fromRunnable(running::decrementAndGet));
                }));

    Flux.range(0, perKey)
        .concatMap(
            seq ->
                Flux.range(0, keys)
                    .concatMap(
                        key ->
                            broker()
                                .publish(
                                    new Message(
                                        topic,
                                        Optional.of("key-" + key),
                                        Headers.empty(),
                                        bytes(Integer.toString(seq))))))
        .then()
        .block(timeout());

    await().atMost(timeout()).until(() -> count.get() >= keys * perKey);
    List<Integer> expected = IntStream.range(0, perKey).boxed().toList();
    assertThat(seen).hasSize(keys);
    seen.forEach(
        (key, sequence) ->
            assertThat(sequence).as("order of %s", key).containsExactlyElementsOf(expected));
    assertThat(mostRunning.get()).as("handlers running at once").isBetween(1, concurrency);
  }

  @Test
  void closingSubscriptionStopsDelivery() {
    String topic = topic("closing");
    Queue<String> closing = new ConcurrentLinkedQueue<>();
    Queue<String> witness = new ConcurrentLinkedQueue<>();
    Subscription subscription = subscribe(topic, options("closing").build(), collectInto(closing));
    subscribe(topic, options("witness").build(), collectInto(witness));

    publish(new Message(topic, Optional.empty(), Headers.empty(), bytes("one")));
    await().atMost(timeout()).until(() -> closing.contains("one") && witness.contains("one"));

    StepVerifier.create(subscription.close()).expectComplete().verify(timeout());
    publish(new Message(topic, Optional.empty(), Headers.empty(), bytes("two")));
    await().atMost(timeout()).until(() -> witness.contains("two"));
    assertThat(closing).containsExactly("one");
  }

  @Test
  void rejectsSubscriptionWithoutGroup() {
    StepVerifier.create(
            broker()
                .subscribe(topic("no-group"), SubscribeOptions.defaults(), message -> Mono.empty()))
        .expectErrorSatisfies(
            error ->
                assertThat(error)
                    .isInstanceOfSatisfying(
                        VireoException.class,
                        vireo -> assertThat(vireo.status()).isEqualTo(Status.INVALID_ARGUMENT)))
        .verify(timeout());
  }

  /** A topic name of this test alone. */
  protected final String topic(String name) {
    return "contract." + name + "." + suffix;
  }

  /** Options in a queue group of this test alone. */
  protected final SubscribeOptions.Builder options(String group) {
    return SubscribeOptions.builder().group(group + "." + suffix);
  }

  /** Subscribes, waits until the subscription is live, and closes it after the test. */
  protected final Subscription subscribe(
      String topic, SubscribeOptions options, MessageHandler handler) {
    Subscription subscription = broker().subscribe(topic, options, handler).block(timeout());
    assertThat(subscription).as("subscription to %s", topic).isNotNull();
    subscriptions.add(subscription);
    return subscription;
  }

  protected final void publish(Message message) {
    broker().publish(message).block(timeout());
  }

  private List<String> publishNumbered(String topic, int count) {
    List<String> sent = IntStream.range(0, count).mapToObj(i -> "message-" + i).toList();
    Flux.fromIterable(sent)
        .flatMap(
            text ->
                broker()
                    .publish(new Message(topic, Optional.of(text), Headers.empty(), bytes(text))))
        .then()
        .block(timeout());
    return sent;
  }

  private static MessageHandler collectInto(Queue<String> texts) {
    return message -> {
      texts.add(text(message));
      return Mono.empty();
    };
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(Message message) {
    return new String(message.payload(), StandardCharsets.UTF_8);
  }
}
