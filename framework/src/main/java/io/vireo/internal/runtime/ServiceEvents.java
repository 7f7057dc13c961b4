package io.vireo.internal.runtime;

import com.google.protobuf.Descriptors.Descriptor;
import io.vireo.Call;
import io.vireo.Event;
import io.vireo.Headers;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.broker.Broker;
import io.vireo.broker.Message;
import io.vireo.broker.MessageHandler;
import io.vireo.broker.SubscribeOptions;
import io.vireo.broker.Subscription;
import io.vireo.broker.spi.BrokerProvider;
import io.vireo.codec.Codec;
import io.vireo.config.Config;
import io.vireo.wrapper.EventFunction;
import io.vireo.wrapper.PublishFunction;
import io.vireo.wrapper.Wrapper;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * A service's events: the publish chain (the wrappers around the broker), the subscriptions made at
 * start, and the broker, created on first use unless the builder gave one.
 */
final class ServiceEvents {
  // the service's log category, as before the split: users' logging settings name it
  private static final Logger log = LoggerFactory.getLogger(ServiceRuntime.class);
  private static volatile Stamp lastStamp = new Stamp(0, Instant.EPOCH.toString());

  private final ServiceRuntime.Spec spec;
  private final Config config;
  private final Codecs codecs;
  private final List<Wrapper> wrappers;
  private final PublishFunction publisher;
  private final List<Subscription> subscriptions = new ArrayList<>();
  private volatile Broker broker;

  ServiceEvents(ServiceRuntime.Spec spec, Config config, Codecs codecs, List<Wrapper> wrappers) {
    this.spec = spec;
    this.config = config;
    this.codecs = codecs;
    this.wrappers = wrappers;
    this.publisher = publishChain();
  }

  /** Makes the builder's subscriptions, each within {@code timeout}. */
  void subscribeAll(Duration timeout) {
    for (ServiceRuntime.SubscriptionSpec<?> subscription : spec.subscriptions()) {
      subscriptions.add(subscribe(subscription).block(timeout));
    }
  }

  List<Subscription> subscriptions() {
    return List.copyOf(subscriptions);
  }

  /** The broker, if one was made or given. */
  Optional<Broker> broker() {
    return Optional.ofNullable(broker);
  }

  Mono<Void> publish(String topic, Optional<String> key, Object event) {
    return Mono.deferContextual(
        context -> {
          if (topic.isEmpty()) {
            return Mono.error(
                VireoException.of(
                    Status.INVALID_ARGUMENT,
                    "topic: empty (expected: a name such as user.created)"));
          }
          // every header of the message in one array; content-type is the codec's that the
          // end of the chain encodes with
          Headers headers =
              Headers.of(
                  Message.MESSAGE_ID, messageId(),
                  Message.TYPE, typeName(event),
                  Message.PUBLISHED_AT, publishedAt(),
                  Message.CONTENT_TYPE, codecs.primary().contentType());
          Optional<String> traceparent =
              Call.from(context).flatMap(call -> call.headers().get(Headers.TRACEPARENT));
          if (traceparent.isPresent()) {
            headers = headers.with(Headers.TRACEPARENT, traceparent.get());
          }
          return publisher.publish(new Event(topic, key, headers, event));
        });
  }

  /**
   * A random (version 4) UUID from {@code ThreadLocalRandom}: an id must be unique, not
   * unguessable, and {@code UUID.randomUUID()}'s SecureRandom costs a shared lock per event.
   */
  static String messageId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & ~(0xC000_0000_0000_0000L)) | 0x8000_0000_0000_0000L;
    return new UUID(high, low).toString();
  }

  private record Stamp(long millis, String text) {}

  /**
   * Now in ISO-8601 with milliseconds; formatted once per millisecond, as events come in bursts.
   */
  static String publishedAt() {
    long now = System.currentTimeMillis();
    Stamp stamp = lastStamp;
    if (stamp.millis() != now) {
      stamp = new Stamp(now, Instant.ofEpochMilli(now).toString());
      lastStamp = stamp;
    }
    return stamp.text();
  }

  /**
   * The {@code vireo-type} a subscriber of {@code type} accepts: a concrete protobuf message's full
   * name. None (any) for other types: with the JSON codec two services often have classes of their
   * own, with other names, for one event.
   */
  static Optional<String> expectedType(Class<?> type) {
    if (!com.google.protobuf.Message.class.isAssignableFrom(type)
        || type.isInterface()
        || Modifier.isAbstract(type.getModifiers())) {
      return Optional.empty();
    }
    try {
      Object descriptor = type.getMethod("getDescriptor").invoke(null);
      return Optional.of(((Descriptor) descriptor).getFullName());
    } catch (ReflectiveOperationException | ClassCastException e) {
      return Optional.empty();
    }
  }

  private static String typeName(Object event) {
    return event instanceof com.google.protobuf.Message message
        ? message.getDescriptorForType().getFullName()
        : event.getClass().getName();
  }

  private Broker brokerNow() {
    Broker current = broker;
    if (current == null) {
      synchronized (this) {
        current = broker;
        if (current == null) {
          current =
              spec.broker()
                  .orElseGet(
                      () ->
                          Plugins.create(
                              BrokerProvider.class,
                              "broker",
                              config.get("vireo.broker", "memory"),
                              config));
          broker = current;
        }
      }
    }
    return current;
  }

  private PublishFunction publishChain() {
    PublishFunction chain =
        event -> {
          Codec codec = codecs.primary();
          byte[] payload = codec.encode(event.payload());
          return brokerNow()
              .publish(new Message(event.topic(), event.key(), event.headers(), payload));
        };
    for (int i = wrappers.size() - 1; i >= 0; i--) {
      chain = wrappers.get(i).publisher(chain);
    }
    return chain;
  }

  private <T> Mono<Subscription> subscribe(ServiceRuntime.SubscriptionSpec<T> subscription) {
    EventFunction chain =
        event -> {
          T payload = subscription.type().cast(event.payload());
          Publisher<?> result = subscription.handler().handle(payload);
          if (result == null) {
            return Mono.error(
                VireoException.of(
                    Status.INTERNAL,
                    "handler of %s returned null (expected: a Mono)",
                    event.topic()));
          }
          return Mono.from(result).then();
        };
    for (int i = wrappers.size() - 1; i >= 0; i--) {
      chain = wrappers.get(i).subscriber(chain);
    }
    EventFunction handler = chain;
    Optional<String> expectedType = expectedType(subscription.type());
    MessageHandler onMessage =
        message ->
            Mono.defer(
                () -> {
                  Optional<String> sentType = message.headers().get(Message.TYPE);
                  if (expectedType.isPresent()
                      && sentType.isPresent()
                      && !sentType.get().equals(expectedType.get())) {
                    // decoding would "work" (protobuf reads any bytes as any message) and deliver
                    // nonsense
                    log.warn(
                        "{}: event on {} is a {} but the subscriber takes {}; not delivered (INVALID_ARGUMENT, to the dead letter"
                            + " topic when it is enabled)",
                        spec.name(),
                        message.topic(),
                        sentType.get(),
                        expectedType.get());
                    return Mono.error(
                        VireoException.of(
                            Status.INVALID_ARGUMENT,
                            "event on %s is of type %s (header vireo-type) but the subscriber takes %s",
                            message.topic(),
                            sentType.get(),
                            expectedType.get()));
                  }
                  Codec codec =
                      message
                          .headers()
                          .get(Message.CONTENT_TYPE)
                          .map(codecs::forContentType)
                          .orElse(codecs.primary());
                  T payload = codec.decode(message.payload(), subscription.type());
                  return handler.handle(
                      new Event(message.topic(), message.key(), message.headers(), payload));
                });
    SubscribeOptions options =
        subscription.options().group().isPresent()
            ? subscription.options()
            : subscription.options().withGroup(spec.name());
    return brokerNow().subscribe(subscription.topic(), options, onMessage);
  }
}
