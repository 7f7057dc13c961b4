package io.vireo.broker.memory;

import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.broker.Broker;
import io.vireo.broker.DeadLetterHeaders;
import io.vireo.broker.Message;
import io.vireo.broker.MessageHandler;
import io.vireo.broker.RedeliveryPolicy;
import io.vireo.broker.SubscribeOptions;
import io.vireo.broker.Subscription;
import io.vireo.broker.spi.BrokerProvider;
import io.vireo.config.Config;
import io.vireo.config.Values;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The embedded broker: topics and queue groups in one JVM, with the same delivery rules as a real
 * broker. Each group keeps the messages its members have not acknowledged (bounded by {@code
 * vireo.broker.memory.capacity} per group); a message goes to one member of each group, messages of
 * one key one at a time and in order; an error is retried as {@link RedeliveryPolicy} says (the
 * same rule as Kafka's), then the message goes to {@code <topic>.DLT} with {@link
 * DeadLetterHeaders}. Messages published before a group first subscribed are not kept for it.
 */
public final class MemoryBroker implements Broker {
  public static final String NAME = "memory";
  public static final int DEFAULT_CAPACITY = 100_000;
  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(MemoryBroker.class);
  private static final Store SHARED = new Store(DEFAULT_CAPACITY);

  private final Store store;
  private final Duration shutdownTimeout;
  private final Set<Member> own = ConcurrentHashMap.newKeySet();

  private MemoryBroker(Store store, Duration shutdownTimeout) {
    this.store = store;
    this.shutdownTimeout = shutdownTimeout;
  }

  /** A handle on the JVM-wide store. */
  public static MemoryBroker shared() {
    return new MemoryBroker(SHARED, DEFAULT_SHUTDOWN_TIMEOUT);
  }

  /** A handle on a new, private store; {@link #handle()} gives more handles on it. */
  public static MemoryBroker newStore(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
    }
    return new MemoryBroker(new Store(capacity), DEFAULT_SHUTDOWN_TIMEOUT);
  }

  /** Another handle on the same store: another member, as another process would be. */
  public MemoryBroker handle() {
    return new MemoryBroker(store, shutdownTimeout);
  }

  @Override
  public Mono<Void> publish(Message message) {
    return Mono.fromRunnable(() -> store.publish(message));
  }

  @Override
  public Mono<Subscription> subscribe(
      String topic, SubscribeOptions options, MessageHandler handler) {
    return Mono.fromSupplier(
        () -> {
          String group =
              options.broadcast()
                  ? options.group().orElse("broadcast") + "-" + UUID.randomUUID()
                  : options
                      .group()
                      .orElseThrow(
                          () ->
                              VireoException.of(
                                  Status.INVALID_ARGUMENT,
                                  "subscription to %s has no queue group (expected: SubscribeOptions.group)",
                                  topic));
          Member member = new Member(store, topic, group, options, handler, shutdownTimeout, own);
          own.add(member);
          store.group(topic, group).join(member);
          return member;
        });
  }

  @Override
  public Mono<Void> close() {
    return Flux.fromIterable(new ArrayList<>(own)).flatMap(Member::close).then();
  }

  private static final class Store {
    final int capacity;
    final Map<String, Map<String, Group>> topics = new ConcurrentHashMap<>();
    final AtomicLong offsets = new AtomicLong();

    Store(int capacity) {
      this.capacity = capacity;
    }

    Group group(String topic, String group) {
      return topics
          .computeIfAbsent(topic, t -> new ConcurrentHashMap<>())
          .computeIfAbsent(group, g -> new Group(this, topic, g));
    }

    void publish(Message message) {
      Map<String, Group> groups = topics.get(message.topic());
      if (groups == null) {
        return;
      }
      long offset = offsets.getAndIncrement();
      for (Group group : groups.values()) {
        group.offer(new Delivery(message, offset));
      }
    }
  }

  private record Delivery(Message message, long offset) {}

  private static final class Group {
    final Store store;
    final String topic;
    final String name;
    final ArrayDeque<Delivery> pending = new ArrayDeque<>();
    final List<Member> members = new ArrayList<>();
    final Set<String> busyKeys = new HashSet<>();
    int next;

    Group(Store store, String topic, String name) {
      this.store = store;
      this.topic = topic;
      this.name = name;
    }

    void offer(Delivery delivery) {
      synchronized (this) {
        if (pending.size() >= store.capacity) {
          throw VireoException.of(
              Status.RESOURCE_EXHAUSTED,
              "memory broker: group %s of topic %s holds %d unacknowledged messages (vireo.broker.memory.capacity)",
              name,
              topic,
              pending.size());
        }
        pending.addLast(delivery);
      }
      dispatch();
    }

    synchronized void join(Member member) {
      members.add(member);
    }

    void leave(Member member) {
      synchronized (this) {
        members.remove(member);
      }
      dispatch();
    }

    /** Gives pending messages to members with room; handlers run outside the lock. */
    void dispatch() {
      while (true) {
        Member member;
        Delivery delivery;
        synchronized (this) {
          member = memberWithRoom();
          delivery = member == null ? null : takeDeliverable();
          if (delivery == null) {
            return;
          }
          delivery.message().key().ifPresent(busyKeys::add);
          member.inFlight++;
        }
        member.deliver(delivery);
      }
    }

    /** The message goes back (a member left before acknowledging it). */
    void requeue(Delivery delivery) {
      synchronized (this) {
        delivery.message().key().ifPresent(busyKeys::remove);
        pending.addFirst(delivery);
      }
      dispatch();
    }

    void done(Member member, Delivery delivery) {
      synchronized (this) {
        delivery.message().key().ifPresent(busyKeys::remove);
        member.inFlight--;
      }
      member.checkDrained();
      dispatch();
    }

    private Member memberWithRoom() {
      for (int i = 0; i < members.size(); i++) {
        Member candidate = members.get(Math.floorMod(next + i, members.size()));
        if (candidate.open && candidate.inFlight < candidate.options.concurrency()) {
          next = Math.floorMod(next + i + 1, members.size());
          return candidate;
        }
      }
      return null;
    }

    private Delivery takeDeliverable() {
      Iterator<Delivery> iterator = pending.iterator();
      while (iterator.hasNext()) {
        Delivery delivery = iterator.next();
        Optional<String> key = delivery.message().key();
        if (key.isEmpty() || !busyKeys.contains(key.get())) {
          iterator.remove();
          return delivery;
        }
      }
      return null;
    }
  }

  private static final class Member implements Subscription {
    final Store store;
    final String topic;
    final String group;
    final SubscribeOptions options;
    final MessageHandler handler;
    final RedeliveryPolicy policy;
    final Duration shutdownTimeout;
    final Set<Member> owner;
    final Sinks.Empty<Void> drained = Sinks.empty();
    volatile boolean open = true;
    int inFlight; // guarded by the group's lock

    Member(
        Store store,
        String topic,
        String group,
        SubscribeOptions options,
        MessageHandler handler,
        Duration shutdownTimeout,
        Set<Member> owner) {
      this.store = store;
      this.topic = topic;
      this.group = group;
      this.options = options;
      this.handler = handler;
      this.policy = RedeliveryPolicy.of(options);
      this.shutdownTimeout = shutdownTimeout;
      this.owner = owner;
    }

    Group groupState() {
      return store.group(topic, group);
    }

    void deliver(Delivery delivery) {
      attempt(delivery, 0);
    }

    private void attempt(Delivery delivery, int redelivery) {
      Message message =
          redelivery == 0
              ? delivery.message()
              : withHeader(delivery.message(), Message.REDELIVERY, Integer.toString(redelivery));
      Mono.defer(() -> handler.handle(message))
          .subscribe(
              null,
              error -> failed(delivery, redelivery, error),
              () -> groupState().done(this, delivery));
    }

    private void failed(Delivery delivery, int redelivery, Throwable error) {
      VireoException vireo = VireoException.from(error);
      boolean retry = policy.retries(vireo, redelivery);
      if (retry && open) {
        Mono.delay(policy.backoff(redelivery))
            .subscribe(
                tick -> {
                  if (open) {
                    attempt(delivery, redelivery + 1);
                  } else {
                    giveBack(delivery);
                  }
                });
        return;
      }
      if (retry) {
        giveBack(delivery);
        return;
      }
      if (policy.deadLetter()) {
        log.warn(
            "{} of {} failed {} times, sent to {}: {}",
            id(delivery),
            topic,
            redelivery + 1,
            Message.deadLetterTopic(topic),
            vireo.getMessage());
        store.publish(deadLetter(delivery, vireo));
      } else {
        log.warn(
            "{} of {} failed {} times, dropped: {}",
            id(delivery),
            topic,
            redelivery + 1,
            vireo.getMessage());
      }
      groupState().done(this, delivery);
    }

    private void giveBack(Delivery delivery) {
      synchronized (groupState()) {
        inFlight--;
      }
      checkDrained();
      groupState().requeue(delivery);
    }

    private static String id(Delivery delivery) {
      return delivery
          .message()
          .headers()
          .get(Message.MESSAGE_ID)
          .orElse("message at offset " + delivery.offset());
    }

    private Message deadLetter(Delivery delivery, VireoException error) {
      Message original = delivery.message();
      return new Message(
          Message.deadLetterTopic(topic),
          original.key(),
          DeadLetterHeaders.of(original.headers(), topic, 0, delivery.offset(), error),
          original.payload());
    }

    private static Message withHeader(Message message, String name, String value) {
      return new Message(
          message.topic(), message.key(), message.headers().with(name, value), message.payload());
    }

    void checkDrained() {
      if (!open) {
        boolean idle;
        synchronized (groupState()) {
          idle = inFlight == 0;
        }
        if (idle) {
          drained.tryEmitEmpty();
        }
      }
    }

    @Override
    public String topic() {
      return topic;
    }

    @Override
    public String group() {
      return group;
    }

    @Override
    public Mono<Void> close() {
      return Mono.defer(
          () -> {
            if (open) {
              open = false;
              owner.remove(this);
              groupState().leave(this);
              checkDrained();
            }
            return drained
                .asMono()
                .timeout(
                    shutdownTimeout,
                    Mono.fromRunnable(
                        () ->
                            log.warn(
                                "subscription to {} ({}) closed with handlers still running after {}",
                                topic,
                                group,
                                Values.format(shutdownTimeout))));
          });
    }
  }

  /** {@code memory}: a handle on the JVM-wide store. */
  public static final class Provider implements BrokerProvider {
    @Override
    public String name() {
      return NAME;
    }

    @Override
    public Broker create(Config config) {
      return shared();
    }
  }
}
