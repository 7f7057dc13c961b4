package io.vireo.broker.kafka;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Whether a Kafka cluster's metadata can be reached, for readiness: the answer of the last Admin
 * {@code describeCluster}, asked again (at most one at a time) when it is older than {@link
 * #INTERVAL}. The Admin client does the round trip on its own thread, so a check never blocks its
 * caller; only the very first waits for its answer (bounded by {@link #TIMEOUT}).
 */
final class KafkaReachability {
  private static final Logger logger = LoggerFactory.getLogger(KafkaReachability.class);

  /** How old an answer may be before the next check asks Kafka again. */
  static final Duration INTERVAL = Duration.ofSeconds(2);

  /** How long one {@code describeCluster} may take; a slower one counts as unreachable. */
  static final Duration TIMEOUT = Duration.ofMillis(1500);

  private final AtomicBoolean asking = new AtomicBoolean();
  private final Sinks.One<Boolean> first = Sinks.one();
  private volatile boolean reachable;
  private volatile long answeredAt;
  private volatile boolean answered;

  /** {@code bootstrapServers} names the cluster in the log lines when the answer changes. */
  Mono<Boolean> check(Admin admin, String bootstrapServers) {
    return Mono.defer(
        () -> {
          if (!answered || System.nanoTime() - answeredAt > INTERVAL.toNanos()) {
            ask(admin, bootstrapServers);
          }
          return answered ? Mono.just(reachable) : first.asMono();
        });
  }

  private void ask(Admin admin, String bootstrapServers) {
    if (!asking.compareAndSet(false, true)) {
      return;
    }
    try {
      admin
          .describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis()))
          .nodes()
          .whenComplete(
              (nodes, error) -> answer(error == null && !nodes.isEmpty(), error, bootstrapServers));
    } catch (RuntimeException e) {
      // a closed Admin refuses the call
      answer(false, e, bootstrapServers);
    }
  }

  private void answer(boolean now, @Nullable Throwable error, String bootstrapServers) {
    if (answered && now != reachable) {
      if (now) {
        logger.info("Kafka at {} is reachable again", bootstrapServers);
      } else {
        logger.warn(
            "Kafka at {} is unreachable: {}",
            bootstrapServers,
            error == null ? "no brokers" : error.toString());
      }
    }
    reachable = now;
    answeredAt = System.nanoTime();
    answered = true;
    asking.set(false);
    first.tryEmitValue(now);
  }
}
