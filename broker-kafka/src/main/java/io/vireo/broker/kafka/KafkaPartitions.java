package io.vireo.broker.kafka;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll thread's bookkeeping of one subscription: per assigned partition, the records taken and
 * not yet committed in offset order, the commit point (the end of the contiguous prefix of handled
 * records), and whether the partition is paused because too many records are pending. Only the poll
 * thread calls it; the two snapshots are for other threads to read.
 */
final class KafkaPartitions {
  private static final Logger logger = LoggerFactory.getLogger(KafkaPartitions.class);

  private final String groupId;
  private final int maxPendingPerPartition;
  private final Map<TopicPartition, State> partitions = new HashMap<>();
  private int unsettled;
  private int pausedCount;
  private int
      settlementsToResume; // at least this many records must settle before a paused partition
  // resumes
  private volatile int pendingSnapshot;
  private volatile int pausedSnapshot;

  KafkaPartitions(String groupId, int maxPendingPerPartition) {
    this.groupId = groupId;
    this.maxPendingPerPartition = maxPendingPerPartition;
  }

  /** A record just polled: pending until it settles. */
  Pending take(TopicPartition partition, ConsumerRecord<byte[], byte[]> record) {
    State state = partitions.computeIfAbsent(partition, State::new);
    Pending pending = new Pending(state, record);
    state.inFlight.add(pending);
    unsettled++;
    return pending;
  }

  /** A record whose handling ended (or that was skipped): the commit point may advance. */
  void settle(Pending pending) {
    unsettled--;
    State state = pending.partition;
    if (pending.started) {
      state.finished();
    }
    // a revoked partition advances too: its last commit happens after its handlers finished
    while (!state.inFlight.isEmpty() && state.inFlight.peek().done) {
      state.commitOffset = state.inFlight.poll().record.offset() + 1;
    }
  }

  /** Records taken and not yet settled. */
  int unsettled() {
    return unsettled;
  }

  boolean nonePaused() {
    return pausedCount == 0;
  }

  /** Whether there is nothing to fetch: every partition is paused. */
  boolean allPaused() {
    return pausedCount > 0 && pausedCount == partitions.size();
  }

  /** Settlements after which a paused partition may resume. */
  int settlementsToResume() {
    return settlementsToResume;
  }

  /** Records taken from Kafka and not yet acknowledged (a recent count, for any thread). */
  int pendingSnapshot() {
    return pendingSnapshot;
  }

  /** Paused partitions (a recent count, for any thread). */
  int pausedSnapshot() {
    return pausedSnapshot;
  }

  /** A newly assigned partition starts afresh; an older state of it is revoked. */
  void assign(TopicPartition partition) {
    State previous = partitions.put(partition, new State(partition));
    if (previous != null) {
      previous.revoke();
    }
  }

  /** Revokes the states of {@code revoked}: no record of them starts from now on. */
  List<State> revoke(Collection<TopicPartition> revoked) {
    List<State> states =
        revoked.stream().map(partitions::get).filter(state -> state != null).toList();
    states.forEach(State::revoke);
    return states;
  }

  /** Forgets partitions this member no longer owns; their queued records are skipped. */
  void drop(Collection<TopicPartition> gone) {
    for (TopicPartition partition : gone) {
      State state = partitions.remove(partition);
      if (state != null) {
        // the next owner starts at the commit
        state.revoke();
      }
    }
  }

  void commitAsync(KafkaConsumer<byte[], byte[]> consumer) {
    Map<TopicPartition, OffsetAndMetadata> offsets = uncommitted(partitions.values());
    if (offsets.isEmpty()) {
      return;
    }
    Map<TopicPartition, State> states = new HashMap<>();
    offsets.keySet().forEach(partition -> states.put(partition, partitions.get(partition)));
    consumer.commitAsync(
        offsets,
        (committed, error) -> {
          if (error != null) {
            // the next commit carries these offsets too
            logger.debug("commit of {} in group {} failed: {}", offsets, groupId, error.toString());
            return;
          }
          committed.forEach(
              (partition, offset) -> {
                State state = states.get(partition);
                state.committedOffset = Math.max(state.committedOffset, offset.offset());
              });
        });
  }

  void commitAllSync(KafkaConsumer<byte[], byte[]> consumer, Duration timeout) {
    commitSync(consumer, partitions.values(), timeout);
  }

  void commitSync(
      KafkaConsumer<byte[], byte[]> consumer, Collection<State> states, Duration timeout) {
    Map<TopicPartition, OffsetAndMetadata> offsets = uncommitted(states);
    if (offsets.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(offsets, timeout);
      for (State state : states) {
        OffsetAndMetadata offset = offsets.get(state.partition);
        if (offset != null) {
          state.committedOffset = offset.offset();
        }
      }
    } catch (KafkaException e) {
      logger.warn(
          "commit of {} in group {} failed; those records will be delivered again: {}",
          offsets,
          groupId,
          e.toString());
    }
  }

  private static Map<TopicPartition, OffsetAndMetadata> uncommitted(Collection<State> states) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (State state : states) {
      if (state.commitOffset > state.committedOffset) {
        offsets.put(state.partition, new OffsetAndMetadata(state.commitOffset));
      }
    }
    return offsets;
  }

  /** Pauses and resumes partitions by their pending records. */
  void updatePauses(KafkaConsumer<byte[], byte[]> consumer) {
    int pending = 0;
    int paused = 0;
    int toResume = Integer.MAX_VALUE;
    for (State state : partitions.values()) {
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

  /** The taken, not yet committed records of one partition, in offset order. */
  static final class State {
    final TopicPartition partition;
    final ArrayDeque<Pending> inFlight = new ArrayDeque<>();
    long commitOffset = -1;
    long committedOffset = -1;
    boolean paused;
    volatile boolean revoked;
    private int running; // guarded by this

    State(TopicPartition partition) {
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

  /**
   * One taken record: the lanes set {@code started} and {@code done}, the poll thread reads them.
   */
  static final class Pending {
    final State partition;
    final ConsumerRecord<byte[], byte[]> record;
    volatile boolean started;
    volatile boolean done;

    Pending(State partition, ConsumerRecord<byte[], byte[]> record) {
      this.partition = partition;
      this.record = record;
    }
  }
}
