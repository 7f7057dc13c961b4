package io.vireo.testing.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Kafka broker (KRaft, broker and controller in one node) running in-process on free
 * loopback ports, in a temporary directory that is deleted when it stops.
 *
 * <p>Register it in a static field; it starts before the first test of the class and stops after
 * the last:
 *
 * <pre>{@code
 * class OrderEventsTest {
 *   @RegisterExtension static final KafkaExtension KAFKA = new KafkaExtension();
 *
 *   @Test
 *   void publishesOrderEvents() {
 *     Broker broker = KafkaBroker.builder().bootstrapServers(KAFKA.bootstrapServers()).build();
 *     ...
 *   }
 * }
 * }</pre>
 *
 * <p>{@link #shared()} gives an extension whose broker is started once for the whole test run
 * (every class that registers a shared extension talks to the same broker) and stopped when the run
 * ends: use it when many classes need Kafka and none stops it. A per-class extension can be
 * {@linkplain #stop() stopped} and {@linkplain #start() started} again on the same ports, for tests
 * of what clients do while the broker is away.
 */
public final class KafkaExtension implements BeforeAllCallback, AfterAllCallback {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KafkaExtension.class);

  private final boolean shared;
  private final Map<String, String> brokerProperties;
  private volatile Optional<EmbeddedKafka> kafka = Optional.empty();

  /** A broker for one test class, with the default settings. */
  public KafkaExtension() {
    this(false, Map.of());
  }

  /**
   * A broker for one test class, with these broker settings on top of the defaults (e.g. {@code
   * num.partitions}, {@code auto.create.topics.enable}).
   */
  public KafkaExtension(Map<String, String> brokerProperties) {
    this(false, brokerProperties);
  }

  private KafkaExtension(boolean shared, Map<String, String> brokerProperties) {
    this.shared = shared;
    this.brokerProperties = Map.copyOf(brokerProperties);
  }

  /** An extension on the one broker that all shared extensions of this test run use. */
  public static KafkaExtension shared() {
    return new KafkaExtension(true, Map.of());
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    if (shared) {
      kafka =
          Optional.of(
              context
                  .getRoot()
                  .getStore(NAMESPACE)
                  .computeIfAbsent(
                      "kafka", key -> EmbeddedKafka.started(Map.of()), EmbeddedKafka.class));
    } else {
      kafka = Optional.of(EmbeddedKafka.started(brokerProperties));
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (!shared) {
      kafka.ifPresent(EmbeddedKafka::close);
    }
  }

  /** {@code 127.0.0.1:<port>}: what a client's {@code bootstrap.servers} should be. */
  public String bootstrapServers() {
    return broker().bootstrapServers();
  }

  /**
   * Creates {@code topic} with {@code partitions} partitions (replication factor 1); no-op if it
   * exists.
   */
  public void createTopic(String topic, int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions: " + partitions + " (expected: >= 1)");
    }
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
      admin
          .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
          .all()
          .toCompletionStage()
          .toCompletableFuture()
          .exceptionally(
              error -> {
                if (!(unwrap(error) instanceof TopicExistsException)) {
                  throw new IllegalStateException("cannot create topic " + topic, error);
                }
                return null;
              })
          .get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic " + topic, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create topic " + topic, e);
    }
  }

  /**
   * Stops the broker (a per-class extension only); {@link #start()} brings it back on the same
   * ports.
   */
  public void stop() {
    requireOwn("stop");
    broker().stop();
  }

  /** Starts a {@linkplain #stop() stopped} broker again, with its data and ports. */
  public void start() {
    requireOwn("start");
    broker().start(Duration.ofSeconds(60));
  }

  private void requireOwn(String what) {
    if (shared) {
      throw new IllegalStateException(what + ": a shared broker (expected: new KafkaExtension())");
    }
  }

  private EmbeddedKafka broker() {
    return kafka.orElseThrow(
        () ->
            new IllegalStateException(
                "Kafka is not started (expected: the extension registered with @RegisterExtension in a static field)"));
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
