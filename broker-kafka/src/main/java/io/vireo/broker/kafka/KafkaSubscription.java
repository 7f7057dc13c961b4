package io.vireo.broker.kafka;

import io.vireo.broker.MessageHandler;
import io.vireo.broker.RedeliveryPolicy;
import io.vireo.broker.SubscribeOptions;
import io.vireo.broker.Subscription;
import io.vireo.broker.kafka.KafkaPartitions.Pending;
import io.vireo.broker.kafka.KafkaPartitions.State;
import io.vireo.config.Values;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One subscription: a KafkaConsumer and the thread that polls it. The handlers run on {@link
 * KafkaLanes}, the other concurrency domain.
 *
 * <p>Only the poll thread touches the consumer and the {@link KafkaPartitions} bookkeeping. Records
 * go from the poll thread to the lanes, and come back when their handling ended; the poll thread
 * then advances each partition's commit point over the contiguous prefix of handled records,
 * commits it every {@code commitInterval}, and pauses a partition that has too many records
 * pending.
 */
final class KafkaSubscription implements Subscription {
  private static final Logger logger = LoggerFactory.getLogger(KafkaSubscription.class);
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  /**
   * The longest poll while a partition is paused: the lanes may finish its records well within
   * {@code pollTimeout}, and a poll that waits for the other partitions delays its resumption.
   */
  private static final Duration PAUSED_POLL_TIMEOUT = Duration.ofMillis(5);

  private final String topic;
  private final String groupId;
  private final SubscribeOptions options;
  private final Map<String, Object> consumerProperties;
  private final Duration pollTimeout;
  private final Duration pausedPollTimeout;
  private final Duration commitInterval;
  private final Duration shutdownTimeout;
  private final Duration retryBackoff;
  private final Consumer<KafkaSubscription> onClosed;
  private final KafkaLanes lanes;
  private final KafkaPartitions partitions; // poll thread only
  private final Thread thread;

  private final Sinks.One<Void> live = Sinks.one();
  private final Sinks.One<Void> closed = Sinks.one();
  private volatile boolean stopping;
  private volatile boolean aborting;

  KafkaSubscription(
      String topic,
      String groupId,
      SubscribeOptions options,
      MessageHandler handler,
      Map<String, Object> consumerProperties,
      Duration pollTimeout,
      Duration commitInterval,
      Duration shutdownTimeout,
      int maxPendingPerPartition,
      Duration retryBackoff,
      Function<ProducerRecord<byte[], byte[]>, Mono<Void>> deadLetters,
      Consumer<KafkaSubscription> onClosed) {
    this.topic = topic;
    this.groupId = groupId;
    this.options = options;
    this.consumerProperties = Map.copyOf(consumerProperties);
    this.pollTimeout = pollTimeout;
    this.pausedPollTimeout =
        pollTimeout.compareTo(PAUSED_POLL_TIMEOUT) < 0 ? pollTimeout : PAUSED_POLL_TIMEOUT;
    this.commitInterval = commitInterval;
    this.shutdownTimeout = shutdownTimeout;
    this.retryBackoff = retryBackoff;
    this.onClosed = onClosed;
    this.lanes =
        new KafkaLanes(
            topic,
            groupId,
            options.concurrency(),
            handler,
            RedeliveryPolicy.of(options),
            retryBackoff,
            deadLetters,
            () -> stopping);
    this.partitions = new KafkaPartitions(groupId, maxPendingPerPartition);
    this.thread =
        new Thread(this::run, "vireo-kafka-poll-" + topic + "-" + SEQUENCE.incrementAndGet());
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Completes at the first partition assignment. */
  Mono<Void> live() {
    return live.asMono();
  }

  @Override
  public String topic() {
    return topic;
  }

  @Override
  public String group() {
    return groupId;
  }

  @Override
  public Mono<Void> close() {
    return Mono.defer(
        () -> {
          stopping = true;
          return closed.asMono();
        });
  }

  /**
   * Closes at once, committing nothing more: what was taken and not committed goes to another
   * member of the group. A crash without the crash.
   */
  Mono<Void> abort() {
    return Mono.defer(
        () -> {
          aborting = true;
          stopping = true;
          return closed.asMono();
        });
  }

  /** Records taken from Kafka and not yet acknowledged (a recent count). */
  int pendingRecords() {
    return partitions.pendingSnapshot();
  }

  /** Partitions paused because their handlers are behind (a recent count). */
  int pausedPartitions() {
    return partitions.pausedSnapshot();
  }

  private void run() {
    KafkaConsumer<byte[], byte[]> consumer;
    try {
      consumer = new KafkaConsumer<>(consumerProperties);
    } catch (KafkaException e) {
      logger.error("cannot create a Kafka consumer for {} in group {}", topic, groupId, e);
      live.tryEmitError(KafkaErrors.toVireo("subscribe to " + topic, e));
      finish();
      return;
    }
    try {
      consumer.subscribe(List.of(topic), new Rebalance(consumer));
      long nextCommit = 0;
      while (!stopping) {
        settleFinished();
        long now = System.nanoTime();
        if (now - nextCommit >= 0) {
          partitions.commitAsync(consumer);
          nextCommit = now + commitInterval.toNanos();
        }
        partitions.updatePauses(consumer);
        if (partitions.allPaused()) {
          // nothing to fetch: wait for the lanes (not in poll, where nothing wakes this thread)
          // until a partition may resume, then poll without waiting (rebalances, heartbeats)
          lanes.awaitSettlements(partitions.settlementsToResume(), pollTimeout.toNanos());
          settleFinished();
          partitions.updatePauses(consumer);
        }
        ConsumerRecords<byte[], byte[]> records;
        try {
          // a paused partition resumes only between polls: then wait briefly in poll
          records =
              consumer.poll(
                  partitions.nonePaused()
                      ? pollTimeout
                      : partitions.allPaused() ? Duration.ZERO : pausedPollTimeout);
        } catch (WakeupException e) {
          continue;
        } catch (KafkaException e) {
          // the broker may be away or restarting: log and keep trying, never die
          logger.warn(
              "poll of {} in group {} failed; retrying in {}: {}",
              topic,
              groupId,
              Values.format(retryBackoff),
              e.toString());
          LockSupport.parkNanos(Math.max(retryBackoff.toNanos(), pollTimeout.toNanos()));
          continue;
        }
        for (TopicPartition partition : records.partitions()) {
          for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
            lanes.add(partitions.take(partition, record));
          }
        }
      }
      if (!aborting) {
        drain(consumer);
      }
    } catch (RuntimeException | Error e) {
      logger.error(
          "subscription to {} in group {} stopped on an unexpected error", topic, groupId, e);
    } finally {
      try {
        consumer.close(CloseOptions.timeout(shutdownTimeout));
      } catch (RuntimeException e) {
        logger.warn(
            "closing the consumer of {} in group {} failed: {}", topic, groupId, e.toString());
      }
      finish();
    }
  }

  private void finish() {
    live.tryEmitEmpty();
    closed.tryEmitEmpty();
    onClosed.accept(this);
    logger.debug("subscription to {} in group {} closed", topic, groupId);
  }

  /** Takes in every handling that ended, without waiting. */
  private void settleFinished() {
    Pending pending;
    while ((pending = lanes.pollSettled()) != null) {
      partitions.settle(pending);
    }
  }

  /** Waits (bounded) for the running handlers, then commits what they finished. */
  private void drain(KafkaConsumer<byte[], byte[]> consumer) {
    long deadline = System.nanoTime() + shutdownTimeout.toNanos();
    while (partitions.unsettled() > 0 && !Thread.currentThread().isInterrupted()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      Pending pending = lanes.nextSettled(left);
      if (pending != null) {
        partitions.settle(pending);
      }
    }
    settleFinished();
    if (partitions.unsettled() > 0) {
      logger.warn(
          "{} handlers of {} in group {} still running after {}; their records will be delivered again",
          partitions.unsettled(),
          topic,
          groupId,
          shutdownTimeout);
    }
    partitions.commitAllSync(consumer, shutdownTimeout);
  }

  /** Runs on the poll thread, inside {@code poll} (and {@code close}). */
  private final class Rebalance implements ConsumerRebalanceListener {
    private final KafkaConsumer<byte[], byte[]> consumer;

    Rebalance(KafkaConsumer<byte[], byte[]> consumer) {
      this.consumer = consumer;
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
      List<State> states = partitions.revoke(revoked);
      if (!stopping) {
        // queued records are skipped; running ones may finish (bounded) so that the next owner
        // does not handle them a second time
        awaitRunning(states);
      }
      settleFinished();
      if (!aborting) {
        partitions.commitSync(consumer, states, shutdownTimeout);
      }
      partitions.drop(revoked);
      logger.debug("{} in group {}: revoked {}", topic, groupId, revoked);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> lost) {
      partitions.drop(lost);
      logger.info("{} in group {}: lost {}", topic, groupId, lost);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
      for (TopicPartition partition : assigned) {
        partitions.assign(partition);
        if (options.broadcast()) {
          // fixes "latest" now, so that what is published once subscribe completed is seen
          try {
            consumer.position(partition, shutdownTimeout);
          } catch (KafkaException e) {
            logger.debug("no position for {} yet: {}", partition, e.toString());
          }
        }
      }
      logger.debug("{} in group {}: assigned {}", topic, groupId, assigned);
      live.tryEmitEmpty();
    }

    private void awaitRunning(List<State> states) {
      long deadline = System.nanoTime() + shutdownTimeout.toNanos();
      while (states.stream().anyMatch(state -> state.running() > 0)
          && !Thread.currentThread().isInterrupted()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          logger.warn(
              "{} in group {}: handlers of revoked partitions still running after {}",
              topic,
              groupId,
              shutdownTimeout);
          return;
        }
        Pending pending = lanes.nextSettled(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
        if (pending != null) {
          partitions.settle(pending);
        }
      }
    }
  }
}
