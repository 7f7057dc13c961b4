package io.vireo.broker.kafka;

import io.vireo.VireoException;
import io.vireo.broker.Message;
import io.vireo.broker.MessageHandler;
import io.vireo.broker.RedeliveryPolicy;
import io.vireo.broker.kafka.KafkaPartitions.Pending;
import io.vireo.config.Values;
import java.time.Duration;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * The handler side of a subscription: {@code concurrency} lanes that run the handler, its retries
 * and dead letters (as {@link RedeliveryPolicy} says), and the lock-free hand-off of each settled
 * record back to the poll thread.
 *
 * <p>The poll thread {@link #add adds} records to a lane chosen by key (so the records of one key
 * keep their order) and takes them back through {@link #pollSettled()}, {@link #nextSettled(long)}
 * or {@link #awaitSettlements(int, long)} when their handling ended.
 *
 * <p>A lane runs on bounded-elastic in bursts: one task takes every queued record in turn for as
 * long as their handlers complete at once, so a poll's batch costs one thread hand-off, not one per
 * record. A handler whose {@code Mono} completes later ends the burst; its completion starts the
 * next one (again on bounded-elastic, never on the thread that completed it). The poll thread never
 * runs a handler, so a slow handler cannot keep it from polling.
 */
final class KafkaLanes {
  private static final Logger logger = LoggerFactory.getLogger(KafkaLanes.class);

  /** Records one lane task handles before it makes way for the other tasks on its thread. */
  private static final int MAX_BURST = 256;

  private static final AtomicIntegerFieldUpdater<Handling> HANDLING_STATE =
      AtomicIntegerFieldUpdater.newUpdater(Handling.class, "state");

  private final String topic;
  private final String groupId;
  private final MessageHandler handler;
  private final RedeliveryPolicy policy;
  private final Duration retryBackoff;
  private final Function<ProducerRecord<byte[], byte[]>, Mono<Void>> deadLetters;
  private final BooleanSupplier stopping;
  private final Scheduler handlers = Schedulers.boundedElastic();
  private final Lane[] lanes;

  // lock-free: every handled record passes here, from the lanes to the poll thread
  private final Queue<Pending> settled = new ConcurrentLinkedQueue<>();
  private final AtomicLong settledCount = new AtomicLong();
  private volatile Thread waitingForSettled;
  // the settledCount at which a lane wakes the waiting poll thread
  private volatile long wakeAtSettled = Long.MAX_VALUE;

  KafkaLanes(
      String topic,
      String groupId,
      int concurrency,
      MessageHandler handler,
      RedeliveryPolicy policy,
      Duration retryBackoff,
      Function<ProducerRecord<byte[], byte[]>, Mono<Void>> deadLetters,
      BooleanSupplier stopping) {
    this.topic = topic;
    this.groupId = groupId;
    this.handler = handler;
    this.policy = policy;
    this.retryBackoff = retryBackoff;
    this.deadLetters = deadLetters;
    this.stopping = stopping;
    this.lanes = new Lane[concurrency];
    for (int i = 0; i < lanes.length; i++) {
      lanes[i] = new Lane();
    }
  }

  /** Queues a taken record on its key's lane (poll thread). */
  void add(Pending pending) {
    lanes[lane(pending.record)].add(pending);
  }

  private int lane(ConsumerRecord<byte[], byte[]> record) {
    if (lanes.length == 1) {
      return 0;
    }
    int hash =
        record.key() != null
            ? Arrays.hashCode(record.key())
            : (int) (record.partition() * 31L + record.offset());
    return Math.floorMod(hash, lanes.length);
  }

  /** A record whose handling ended, without waiting; null if none. */
  Pending pollSettled() {
    return settled.poll();
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

  /** Waits until {@code count} more records settled, at most {@code nanos} (poll thread). */
  void awaitSettlements(int count, long nanos) {
    long deadline = System.nanoTime() + nanos;
    long target = settledCount.get() + count;
    // announced before the count is read again: a lane that settles the last one sees it
    waitingForSettled = Thread.currentThread();
    wakeAtSettled = target;
    try {
      while (settledCount.get() < target
          && !stopping.getAsBoolean()
          && !Thread.currentThread().isInterrupted()) {
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
  Pending nextSettled(long nanos) {
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

  /**
   * Handles a record again (a retry): the handler, its retries, the dead letter; true when it may
   * be committed.
   */
  private Mono<Boolean> handle(Pending pending, int attempt) {
    if (pending.partition.revoked || stopping.getAsBoolean()) {
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
    if (policy.retries(error, attempt)) {
      Duration backoff = policy.backoff(attempt);
      logger.debug(
          "handler failed on {}-{}@{} (attempt {}), retrying in {}: {}",
          record.topic(),
          record.partition(),
          record.offset(),
          attempt + 1,
          backoff,
          error.toString());
      return Mono.delay(backoff).then(Mono.defer(() -> handle(pending, attempt + 1)));
    }
    if (!policy.deadLetter()) {
      logger.warn(
          "handler failed on {}-{}@{} after {} attempts; skipping it (dead letters are off): {}",
          record.topic(),
          record.partition(),
          record.offset(),
          attempt + 1,
          error.toString());
      return Mono.just(true);
    }
    logger.warn(
        "handler failed on {}-{}@{} after {} attempts; sending it to {}: {}",
        record.topic(),
        record.partition(),
        record.offset(),
        attempt + 1,
        Message.deadLetterTopic(record.topic()),
        error.toString());
    ProducerRecord<byte[], byte[]> deadLetter = KafkaRecords.toDeadLetter(record, error);
    return Mono.defer(() -> deadLetters.apply(deadLetter))
        .retryWhen(
            Retry.backoff(
                    Long.MAX_VALUE, retryBackoff.isZero() ? Duration.ofMillis(1) : retryBackoff)
                .maxBackoff(RedeliveryPolicy.MAX_BACKOFF)
                .filter(retry -> !pending.partition.revoked && !stopping.getAsBoolean())
                .doBeforeRetry(
                    retry ->
                        logger.warn(
                            "dead letter for {}-{}@{} not sent, retrying: {}",
                            record.topic(),
                            record.partition(),
                            record.offset(),
                            retry.failure().toString())))
        .thenReturn(true)
        .onErrorResume(
            e -> {
              logger.warn(
                  "dead letter for {}-{}@{} not sent; the record stays uncommitted: {}",
                  record.topic(),
                  record.partition(),
                  record.offset(),
                  e.toString());
              return Mono.just(false);
            });
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
        logger.warn(
            "handlers of {} in group {} cannot be scheduled; retrying in {}: {}",
            topic,
            groupId,
            Values.format(retryBackoff),
            e.toString());
        Mono.delay(retryBackoff.isZero() ? Duration.ofMillis(1) : retryBackoff)
            .subscribe(
                tick -> schedule(),
                error -> logger.error("handlers of {} in group {} stopped", topic, groupId, error));
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
        if (!pending.partition.tryStart(stopping.getAsBoolean())) {
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

  /**
   * The first attempt at one record: subscribes to the handler's {@code Mono} on the lane's thread.
   */
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
          result =
              Mono.error(
                  new NullPointerException("the message handler returned null (expected: a Mono)"));
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
    public void onSubscribe(Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(Void ignored) {}

    @Override
    public void onError(Throwable error) {
      failed(pending, 0, VireoException.from(error))
          .subscribe(
              this::complete,
              unexpected -> {
                logger.error(
                    "handling {}-{}@{} failed unexpectedly",
                    pending.record.topic(),
                    pending.record.partition(),
                    pending.record.offset(),
                    unexpected);
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
}
