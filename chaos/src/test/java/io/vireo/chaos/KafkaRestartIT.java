package io.vireo.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.vireo.Service;
import io.vireo.chaos.EventSink.Event;
import io.vireo.testing.kafka.KafkaExtension;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * {@value #EVENTS} events published from this JVM and consumed by a service in its own JVM, while
 * the Kafka broker is stopped and started again: none lost; duplicates (at-least-once) counted.
 */
class KafkaRestartIT {
  static final int EVENTS = Integer.getInteger("chaos.kafka.events", 10_000);

  @RegisterExtension static final KafkaExtension KAFKA = new KafkaExtension();

  @Test
  void noEventIsLostWhenTheBrokerRestarts() throws Exception {
    KAFKA.createTopic("chaos.events", 3);
    Map<String, String> config =
        Map.of(
            "vireo.broker",
            "kafka",
            "vireo.broker.kafka.bootstrap-servers",
            KAFKA.bootstrapServers(),
            "vireo.codec",
            "json");
    try (Child sink = Child.start("sink", EventSink.class, config)) {
      sink.awaitLine("chaos-ready", Duration.ofSeconds(60));
      Service source =
          Service.builder("chaos-source")
              .set("vireo.broker", "kafka")
              .set("vireo.broker.kafka.bootstrap-servers", KAFKA.bootstrapServers())
              .set("vireo.codec", "json")
              .build()
              .start();
      try {
        long start = System.nanoTime();
        AtomicLong published = new AtomicLong();
        AtomicLong publishRetries = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong downAt = new AtomicLong();
        AtomicLong upAt = new AtomicLong();
        AtomicLong publishedWhileDown = new AtomicLong();
        Flux.range(0, EVENTS)
            .delayElements(Duration.ofMillis(2))
            .doOnNext(
                id -> {
                  if (id == EVENTS / 5) {
                    // on its own thread: the publishing goes on while the broker is down
                    Thread outage =
                        new Thread(
                            () -> {
                              downAt.set(System.nanoTime());
                              KAFKA.stop();
                              sleepQuietly(3_000);
                              KAFKA.start();
                              upAt.set(System.nanoTime());
                            },
                            "kafka-outage");
                    outage.setDaemon(true);
                    outage.start();
                  }
                })
            .flatMap(
                id ->
                    source
                        .publish("chaos.events", Long.toString(id), new Event(id))
                        .doOnSubscribe(
                            subscription -> {
                              if (downAt.get() != 0 && upAt.get() == 0) {
                                publishedWhileDown.incrementAndGet();
                              }
                            })
                        .doOnError(error -> publishRetries.incrementAndGet())
                        .retryWhen(Retry.backoff(10, Duration.ofMillis(200)))
                        .doOnSuccess(done -> published.incrementAndGet())
                        .onErrorResume(
                            error -> {
                              failed.incrementAndGet();
                              return Mono.empty();
                            }),
                256)
            .then()
            .block(Duration.ofMinutes(3));

        Awaitility.await("every event consumed")
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> distinct(sink.lines()).size() >= EVENTS);
        List<String> lines = sink.lines();
        Set<Long> seen = distinct(lines);
        long deliveries = lines.stream().filter(line -> line.startsWith("event ")).count();
        long lost = EVENTS - seen.size();
        long duplicates = deliveries - seen.size();
        Chaos.report(
            "kafka-restart",
            EVENTS,
            failed.get(),
            lost,
            duplicates,
            (System.nanoTime() - start) / 1_000_000,
            Chaos.figures(
                "published",
                published.get(),
                "publish-retries",
                publishRetries.get(),
                "deliveries",
                deliveries,
                "sent-while-broker-stopping-or-down",
                publishedWhileDown.get(),
                "broker-stopping-and-down-ms",
                (upAt.get() - downAt.get()) / 1_000_000));
        assertThat(publishedWhileDown.get())
            .as("events sent while the broker was stopping or down")
            .isPositive();
        assertThat(failed.get()).as("events that could not be published").isZero();
        assertThat(lost).as("events lost").isZero();
      } finally {
        source.stop();
      }
    }
  }

  private static Set<Long> distinct(List<String> lines) {
    Set<Long> ids = new HashSet<>();
    for (String line : lines) {
      if (line.startsWith("event ")) {
        ids.add(Long.parseLong(line.substring(6).trim()));
      }
    }
    return ids;
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
