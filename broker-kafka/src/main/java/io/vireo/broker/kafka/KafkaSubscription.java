package io.vireo.broker.kafka;

import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.broker.Message;
import io.vireo.broker.MessageHandler;
import io.vireo.broker.SubscribeOptions;
import io.vireo.broker.Subscription;
import io.vireo.config.Values;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * One subscription: a KafkaConsumer and the thread that polls it, and {@code concurrency}
 * lanes that run the handler.
 *
 * <p>Only the poll thread touches the consumer and the partition bookkeeping. Records go from
 * the poll thread to a lane chosen by key (so the records of one key keep their order), and
 * come back through {@link #settled} when their handling ended; the poll thread then advances
 * each partition's commit point over the contiguous prefix of handled records, commits it
 * every {@code commitInterval}, and pauses a partition that has too many records pending.
 *
 * <p>A lane runs on bounded-elastic in bursts: one task takes every queued record in turn for
 * as long as their handlers complete at once, so a poll's batch costs one thread hand-off, not
 * one per record. A handler whose {@code Mono} completes later ends the burst; its completion
 * starts the next one (again on bounded-elastic, never on the thread that completed it). The
 * poll thread never runs a handler, so a slow handler cannot keep it from polling.
 */
final class KafkaSubscription implements Subscription {
  private static final Logger logger = LoggerFactory.getLogger(KafkaSubscription.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  /** Records one lane task handles before it makes way for the other tasks on its thread. */
  private static final int MAX_BURST = 256;
  /**
   * The longest poll while a partition is paused: the lanes may finish its records well within
   * {@code pollTimeout}, and a poll that waits for the other partitions delays its resumption.
   */
  private static final Duration PAUSED_POLL_TIMEOUT = Duration.ofMillis(5);

  private final String topic;
  private final String groupId;
  private final SubscribeOptions options;
  private final MessageHandler handler;
  private final Map<String, Object> consumerProperties;
  private final Duration pollTimeout;
  private final Duration pausedPollTimeout;
  private final Duration commitInterval;
  private final Duration shutdownTimeout;
  private final int maxPendingPerPartition;
  private final Duration retryBackoff;
  private final Function<ProducerRecord<byte[], byte[]>, Mono<Void>> deadLetters;
  private final Consumer<KafkaSubscription> onClosed;
  private final Scheduler handlers = Schedulers.boundedElastic();
  private final Lane[] lanes;
  private final Thread thread;

  // lock-free: every handled record passes here, from the lanes to the poll thread
  private final Queue<Pending> settled = new ConcurrentLinkedQueue<>();
  private final AtomicLong settledCount = new AtomicLong();
  private volatile Thread waitingForSettled;
  // the settledCount at which a lane wakes the waiting poll thread
  private volatile long wakeAtSettled = Long.MAX_VALUE;
  private final Sinks.One<Void> live = Sinks.one();
  private final Sinks.One<Void> closed = Sinks.one();
  private volatile boolean stopping;
  private volatile boolean aborting;
  private volatile int pendingSnapshot;
  private volatile int pausedSnapshot;

  // poll thread only
  private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();
  private int unsettled;
  private int pausedCount;
  private int settlementsToResume; // at least this many records must settle before a paused partition resumes

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
    this.handler = handler;
    this.consumerProperties = Map.copyOf(consumerProperties);
    this.pollTimeout = pollTimeout;
    this.pausedPollTimeout = pollTimeout.compareTo(PAUSED_POLL_TIMEOUT) < 0 ? pollTimeout : PAUSED_POLL_TIMEOUT;
    this.commitInterval = commitInterval;
    this.shutdownTimeout = shutdownTimeout;
    this.maxPendingPerPartition = maxPendingPerPartition;
    this.retryBackoff = retryBackoff;
    this.deadLetters = deadLetters;
    this.onClosed = onClosed;
    this.lanes = new Lane[options.concurrency()];
    for (int i = 0; i < lanes.length; i++) {
      lanes[i] = new Lane();
    }
    this.thread = new Thread(this::run, "vireo-kafka-poll-" + topic + "-" + SEQUENCE.incrementAndGet());
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
    return Mono.defer(() -> {
      stopping = true;
      return closed.asMono();
    });
  }

  /**
   * Closes at once, committing nothing more: what was taken and not committed goes to another
   * member of the group. A crash without the crash.
   */
  Mono<Void> abort() {
    return Mono.defer(() -> {
      aborting = true;
      stopping = true;
      return closed.asMono();
    });
  }

  /** Records taken from Kafka and not yet acknowledged (a recent count). */
  int pendingRecords() {
    return pendingSnapshot;
  }

  /** Partitions paused because their handlers are behind (a recent count). */
  int pausedPartitions() {
    return pausedSnapshot;
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
          commitAsync(consumer);
          nextCommit = now + commitInterval.toNanos();
        }
        updatePauses(consumer);
        if (pausedCount > 0 && pausedCount == partitions.size()) {
          // nothing to fetch: wait for the lanes (not in poll, where nothing wakes this thread)
          // until a partition may resume, then poll without waiting (rebalances, heartbeats)
          awaitSettlements(settlementsToResume, pollTimeout.toNanos());
          settleFinished();
          updatePauses(consumer);
        }
        ConsumerRecords<byte[], byte[]> records;
        try {
          // a paused partition resumes only between polls: then wait briefly in poll
          records = consumer.poll(pausedCount == 0 ? pollTimeout
              : pausedCount == partitions.size() ? Duration.ZERO : pausedPollTimeout);
        } catch (WakeupException e) {
          continue;
        } catch (KafkaException e) {
          // the broker may be away or restarting: log and keep trying, never die
          logger.warn("poll of {} in group {} failed; retrying in {}: {}", topic, groupId, Values.format(retryBackoff), e.toString());
          LockSupport.parkNanos(Math.max(retryBackoff.toNanos(), pollTimeout.toNanos()));
          continue;
        }
        for (TopicPartition partition : records.partitions()) {
          PartitionState state = partitions.computeIfAbsent(partition, PartitionState::new);
          for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
            dispatch(state, record);
          }
        }
      }
      if (!aborting) {
        drain(consumer);
      }
    } catch (RuntimeException | Error e) {
      logger.error("subscription to {} in group {} stopped on an unexpected error", topic, groupId, e);
    } finally {
      try {
        consumer.close(CloseOptions.timeout(shutdownTimeout));
      } catch (RuntimeException e) {
        logger.warn("closing the consumer of {} in group {} failed: {}", topic, groupId, e.toString());
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

  private void dispatch(PartitionState state, ConsumerRecord<byte[], byte[]> record) {
    Pending pending = new Pending(state, record);
    state.inFlight.add(pending);
    unsettled++;
    lanes[lane(record)].add(pending);
  }

  private int lane(ConsumerRecord<byte[], byte[]> record) {
    if (lanes.length == 1) {
      return 0;
    }
    int hash = record.key() != null
        ? Arrays.hashCode(record.key())
        : (int) (record.partition() * 31L + record.offset());
    return Math.floorMod(hash, lanes.length);
  }

  /** A lane's record whose handling ended (or that was skipped): for the poll thread to settle. */
  private void settled(Pending pending) {
    settled.offer(pending);
    if (settledCount.incrementAndGet() >= wakeAtSettled) {
      Thread waiting = waitingForSettled;
      if (waiting != null) {
        LockSupport.unpark(waiting);
      }
    }
  }

  /** Waits until {@code count} more records settled, at most {@code nanos}. */
  private void awaitSettlements(int count, long nanos) {
    long deadline = System.nanoTime() + nanos;
    long target = settledCount.get() + count;
    // announced before the count is read again: a lane that settles the last one sees it
    waitingForSettled = Thread.currentThread();
    wakeAtSettled = target;
    try {
      while (settledCount.get() < target && !stopping && !Thread.currentThread().isInterrupted()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        LockSupport.parkNanos(this, left);
      }
    } finally {
      wakeAtSettled = Long.MAX_VALUE;
      waitingForSettled = null;
    }
  }

  /** The next settled record, waiting at most {@code nanos}; null if none came (or interrupted). */
  private Pending nextSettled(long nanos) {
    Pending pending = settled.poll();
    if (pending != null) {
      return pending;
    }
    waitingForSettled = Thread.currentThread();
    wakeAtSettled = Long.MIN_VALUE;
    try {
      // polled again after announcing the wait: a record settled in between is not missed
      pending = settled.poll();
      if (pending == null) {
        LockSupport.parkNanos(this, nanos);
        pending = settled.poll();
      }
      return pending;
    } finally {
      wakeAtSettled = Long.MAX_VALUE;
      waitingForSettled = null;
    }
  }

  /** Takes in every handling that ended, without waiting. */
  private void settleFinished() {
    Pending pending;
    while ((pending = settled.poll()) != null) {
      settle(pending);
    }
  }

  private void settle(Pending pending) {
    unsettled--;
    PartitionState state = pending.partition;
    if (pending.started) {
      state.finished();
    }
    // a revoked partition advances too: its last commit happens after its handlers finished
    while (!state.inFlight.isEmpty() && state.inFlight.peek().done) {
      state.commitOffset = state.inFlight.poll().record.offset() + 1;
    }
  }

  private Map<TopicPartition, OffsetAndMetadata> uncommitted(Collection<PartitionState> states) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (PartitionState state : states) {
      if (state.commitOffset > state.committedOffset) {
        offsets.put(state.partition, new OffsetAndMetadata(state.commitOffset));
      }
    }
    return offsets;
  }

  private void commitAsync(KafkaConsumer<byte[], byte[]> consumer) {
    Map<TopicPartition, OffsetAndMetadata> offsets = uncommitted(partitions.values());
    if (offsets.isEmpty()) {
      return;
    }
    Map<TopicPartition, PartitionState> states = new HashMap<>();
    offsets.keySet().forEach(partition -> states.put(partition, partitions.get(partition)));
    consumer.commitAsync(offsets, (committed, error) -> {
      if (error != null) {
        // the next commit carries these offsets too
        logger.debug("commit of {} in group {} failed: {}", offsets, groupId, error.toString());
        return;
      }
      committed.forEach((partition, offset) -> {
        PartitionState state = states.get(partition);
        state.committedOffset = Math.max(state.committedOffset, offset.offset());
      });
    });
  }

  private void commitSync(KafkaConsumer<byte[], byte[]> consumer, Collection<PartitionState> states, Duration timeout) {
    Map<TopicPartition, OffsetAndMetadata> offsets = uncommitted(states);
    if (offsets.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(offsets, timeout);
      for (PartitionState state : states) {
        OffsetAndMetadata offset = offsets.get(state.partition);
        if (offset != null) {
          state.committedOffset = offset.offset();
        }
      }
    } catch (KafkaException e) {
      logger.warn("commit of {} in group {} failed; those records will be delivered again: {}", offsets, groupId,
          e.toString());
    }
  }

  /** Pauses and resumes partitions by their pending records. */
  private void updatePauses(KafkaConsumer<byte[], byte[]> consumer) {
    int pending = 0;
    int paused = 0;
    int toResume = Integer.MAX_VALUE;
    for (PartitionState state : partitions.values()) {
      int size = state.inFlight.size();
      pending += size;
      if (!state.paused && size >= maxPendingPerPartition) {
        consumer.pause(List.of(state.partition));
        state.paused = true;
        logger.debug("paused {}: {} records pending", state.partition, size);
      } else if (state.paused && size <= maxPendingPerPartition / 2) {
        consumer.resume(List.of(state.partition));
        state.paused = false;
        logger.debug("resumed {}: {} records pending", state.partition, size);
      }
      if (state.paused) {
        paused++;
        toResume = Math.min(toResume, Math.max(1, size - maxPendingPerPartition / 2));
      }
    }
    pausedCount = paused;
    settlementsToResume = toResume;
    pendingSnapshot = pending;
    pausedSnapshot = paused;
  }

  /** Waits (bounded) for the running handlers, then commits what they finished. */
  private void drain(KafkaConsumer<byte[], byte[]> consumer) {
    long deadline = System.nanoTime() + shutdownTimeout.toNanos();
    while (unsettled > 0 && !Thread.currentThread().isInterrupted()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      Pending pending = nextSettled(left);
      if (pending != null) {
        settle(pending);
      }
    }
    settleFinished();
    if (unsettled > 0) {
      logger.warn("{} handlers of {} in group {} still running after {}; their records will be delivered again",
          unsettled, topic, groupId, shutdownTimeout);
    }
    commitSync(consumer, partitions.values(), shutdownTimeout);
  }

  /** Handles a record again (a retry): the handler, its retries, the dead letter; true when it may be committed. */
  private Mono<Boolean> handle(Pending pending, int attempt) {
    if (pending.partition.revoked || stopping) {
      return Mono.just(false);
    }
    Message message = KafkaRecords.toMessage(pending.record, attempt);
    // a retry comes after a timer: back to bounded-elastic, where handlers may block
    return Mono.defer(() -> handler.handle(message))
        .subscribeOn(handlers)
        .then(Mono.just(true))
        .onErrorResume(error -> failed(pending, attempt, VireoException.from(error)));
  }

  private Mono<Boolean> failed(Pending pending, int attempt, VireoException error) {
    ConsumerRecord<byte[], byte[]> record = pending.record;
    if (error.status() != Status.INVALID_ARGUMENT && attempt < options.maxRetries()) {
      Duration backoff = backoff(options.retryBackoff(), attempt);
      logger.debug("handler failed on {}-{}@{} (attempt {}), retrying in {}: {}", record.topic(), record.partition(),
          record.offset(), attempt + 1, backoff, error.toString());
      return Mono.delay(backoff).then(Mono.defer(() -> handle(pending, attempt + 1)));
    }
    if (!options.deadLetter()) {
      logger.warn("handler failed on {}-{}@{} after {} attempts; skipping it (dead letters are off): {}",
          record.topic(), record.partition(), record.offset(), attempt + 1, error.toString());
      return Mono.just(true);
    }
    logger.warn("handler failed on {}-{}@{} after {} attempts; sending it to {}: {}", record.topic(),
        record.partition(), record.offset(), attempt + 1, Message.deadLetterTopic(record.topic()), error.toString());
    ProducerRecord<byte[], byte[]> deadLetter = KafkaRecords.toDeadLetter(record, error);
    return Mono.defer(() -> deadLetters.apply(deadLetter))
        .retryWhen(Retry.backoff(Long.MAX_VALUE, retryBackoff.isZero() ? Duration.ofMillis(1) : retryBackoff)
            .maxBackoff(MAX_BACKOFF)
            .filter(retry -> !pending.partition.revoked && !stopping)
            .doBeforeRetry(retry -> logger.warn("dead letter for {}-{}@{} not sent, retrying: {}", record.topic(),
                record.partition(), record.offset(), retry.failure().toString())))
        .thenReturn(true)
        .onErrorResume(e -> {
          logger.warn("dead letter for {}-{}@{} not sent; the record stays uncommitted: {}", record.topic(),
              record.partition(), record.offset(), e.toString());
          return Mono.just(false);
        });
  }

  static Duration backoff(Duration first, int attempt) {
    Duration backoff = first;
    for (int i = 0; i < attempt && backoff.compareTo(MAX_BACKOFF) < 0; i++) {
      backoff = backoff.multipliedBy(2);
    }
    return backoff.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff;
  }

  /** Runs its records one after the other, in bursts on bounded-elastic (see the class comment). */
  private final class Lane implements Runnable {
    private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
    // records added and not yet finished; the one that raises it from 0 starts a burst
    private final AtomicInteger work = new AtomicInteger();

    void add(Pending pending) {
      queue.offer(pending);
      if (work.getAndIncrement() == 0) {
        schedule();
      }
    }

    private void schedule() {
      try {
        handlers.schedule(this);
      } catch (RejectedExecutionException e) {
        // bounded-elastic's task queue is full: the lane tries again shortly, its records wait
        logger.warn("handlers of {} in group {} cannot be scheduled; retrying in {}: {}", topic, groupId,
            Values.format(retryBackoff), e.toString());
        Mono.delay(retryBackoff.isZero() ? Duration.ofMillis(1) : retryBackoff)
            .subscribe(tick -> schedule(), error -> logger.error("handlers of {} in group {} stopped", topic, groupId, error));
      }
    }

    /** One burst. */
    @Override
    public void run() {
      int handled = 0;
      do {
        if (handled++ == MAX_BURST) {
          schedule();
          return;
        }
        Pending pending = queue.poll();
        if (!pending.partition.tryStart(stopping)) {
          // revoked or closing: the record stays uncommitted, for the partition's next owner
          settled(pending);
          continue;
        }
        pending.started = true;
        Handling handling = new Handling(this, pending);
        handling.start();
        if (handling.resumesLater()) {
          return;
        }
      } while (work.decrementAndGet() != 0);
    }

    /** After a handling that completed later, on the thread that completed it. */
    void resume() {
      if (work.decrementAndGet() != 0) {
        schedule();
      }
    }
  }

  private static final AtomicIntegerFieldUpdater<Handling> HANDLING_STATE =
      AtomicIntegerFieldUpdater.newUpdater(Handling.class, "state");

  /** The first attempt at one record: subscribes to the handler's {@code Mono} on the lane's thread. */
  private final class Handling implements CoreSubscriber<Void> {
    private static final int SUBSCRIBING = 0;
    private static final int COMPLETED_AT_ONCE = 1;
    private static final int COMPLETES_LATER = 2;

    private final Lane lane;
    private final Pending pending;
    volatile int state;

    Handling(Lane lane, Pending pending) {
      this.lane = lane;
      this.pending = pending;
    }

    void start() {
      Mono<Void> result;
      try {
        result = handler.handle(KafkaRecords.toMessage(pending.record, 0));
        if (result == null) {
          result = Mono.error(new NullPointerException("the message handler returned null (expected: a Mono)"));
        }
      } catch (Throwable error) {
        Exceptions.throwIfJvmFatal(error);
        result = Mono.error(error);
      }
      result.subscribe(this);
    }

    /** True when the handling goes on after {@link #start()}: its completion resumes the lane. */
    boolean resumesLater() {
      return HANDLING_STATE.compareAndSet(this, SUBSCRIBING, COMPLETES_LATER);
    }

    @Override
    public void onSubscribe(org.reactivestreams.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(Void ignored) {}

    @Override
    public void onError(Throwable error) {
      failed(pending, 0, VireoException.from(error)).subscribe(
          this::complete,
          unexpected -> {
            logger.error("handling {}-{}@{} failed unexpectedly", pending.record.topic(),
                pending.record.partition(), pending.record.offset(), unexpected);
            complete(false);
          });
    }

    @Override
    public void onComplete() {
      complete(true);
    }

    private void complete(boolean done) {
      pending.done = done;
      settled(pending);
      if (!HANDLING_STATE.compareAndSet(this, SUBSCRIBING, COMPLETED_AT_ONCE)) {
        lane.resume();
      }
    }
  }

  /** The taken, not yet committed records of one partition, in offset order. */
  private static final class PartitionState {
    final TopicPartition partition;
    final ArrayDeque<Pending> inFlight = new ArrayDeque<>();
    long commitOffset = -1;
    long committedOffset = -1;
    boolean paused;
    volatile boolean revoked;
    private int running; // guarded by this

    PartitionState(TopicPartition partition) {
      this.partition = partition;
    }

    /** Whether a lane may start a record of this partition; false once revoked or closing. */
    synchronized boolean tryStart(boolean stopping) {
      if (revoked || stopping) {
        return false;
      }
      running++;
      return true;
    }

    synchronized void finished() {
      running--;
    }

    /** No record starts after this; those running go on. */
    synchronized void revoke() {
      revoked = true;
    }

    synchronized int running() {
      return running;
    }
  }

  private static final class Pending {
    final PartitionState partition;
    final ConsumerRecord<byte[], byte[]> record;
    volatile boolean started;
    volatile boolean done;

    Pending(PartitionState partition, ConsumerRecord<byte[], byte[]> record) {
      this.partition = partition;
      this.record = record;
    }
  }

  /** Runs on the poll thread, inside {@code poll} (and {@code close}). */
  private final class Rebalance implements ConsumerRebalanceListener {
    private final KafkaConsumer<byte[], byte[]> consumer;

    Rebalance(KafkaConsumer<byte[], byte[]> consumer) {
      this.consumer = consumer;
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
      List<PartitionState> states = revoked.stream().map(partitions::get).filter(state -> state != null).toList();
      states.forEach(PartitionState::revoke);
      if (!stopping) {
        // queued records are skipped; running ones may finish (bounded) so that the next owner
        // does not handle them a second time
        awaitRunning(states);
      }
      settleFinished();
      if (!aborting) {
        commitSync(consumer, states, shutdownTimeout);
      }
      drop(revoked);
      logger.debug("{} in group {}: revoked {}", topic, groupId, revoked);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> lost) {
      drop(lost);
      logger.info("{} in group {}: lost {}", topic, groupId, lost);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
      for (TopicPartition partition : assigned) {
        PartitionState previous = partitions.put(partition, new PartitionState(partition));
        if (previous != null) {
          previous.revoke();
        }
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

    private void awaitRunning(List<PartitionState> states) {
      long deadline = System.nanoTime() + shutdownTimeout.toNanos();
      while (states.stream().anyMatch(state -> state.running() > 0) && !Thread.currentThread().isInterrupted()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          logger.warn("{} in group {}: handlers of revoked partitions still running after {}", topic, groupId,
              shutdownTimeout);
          return;
        }
        Pending pending = nextSettled(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
        if (pending != null) {
          settle(pending);
        }
      }
    }

    private void drop(Collection<TopicPartition> gone) {
      for (TopicPartition partition : gone) {
        PartitionState state = partitions.remove(partition);
        if (state != null) {
          // queued records of this partition are skipped; the next owner starts at the commit
          state.revoke();
        }
      }
    }
  }
}
