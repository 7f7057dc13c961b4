package io.vireo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.util.JsonFormat;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.broker.Broker;
import io.vireo.broker.Message;
import io.vireo.broker.SubscribeOptions;
import io.vireo.broker.Subscription;
import io.vireo.broker.spi.BrokerProvider;
import io.vireo.config.Config;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@code vireo subscribe <topic>}: prints each event as JSON with its headers, until Ctrl-C or
 * {@code --count}.
 */
@Command(
    name = "subscribe",
    mixinStandardHelpOptions = true,
    versionProvider = Vireo.Version.class,
    description = {
      "Prints each event of a topic as one JSON document: topic, key, headers, type and payload (as JSON when its type is known, else payloadBase64).",
      "Runs until Ctrl-C, --count events, or --timeout. Its own queue group by default, so it takes no events from the services."
    },
    footer = {
      "",
      "Example:",
      "  vireo subscribe user.created --from earliest --count 10 --kafka 127.0.0.1:9092 --zookeeper 127.0.0.1:2181"
    })
final class SubscribeCommand implements Callable<Integer> {
  /** Where a new queue group starts. */
  enum From {
    earliest,
    latest
  }

  @ParentCommand Vireo vireo;

  @Mixin Options options;

  @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic.")
  String topic;

  @Option(
      names = {"-g", "--group"},
      paramLabel = "GROUP",
      description = "Join this queue group (default: a new one, vireo-cli-<random>).")
  @Nullable String group;

  @Option(
      names = "--from",
      paramLabel = "earliest|latest",
      defaultValue = "latest",
      description = "Where a new group starts: earliest or latest (default: ${DEFAULT-VALUE}).")
  From from;

  @Option(
      names = {"-n", "--count"},
      paramLabel = "N",
      description = "Stop after N events.")
  int count;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = Options.Durations.class,
      description = "Stop after this long; with --count, DEADLINE_EXCEEDED if fewer came.")
  @Nullable Duration timeout;

  @Option(
      names = {"-t", "--type"},
      paramLabel = "MESSAGE",
      description = "Decode payloads as this type whatever their vireo-type header says.")
  @Nullable String type;

  @Option(
      names = "--service",
      paramLabel = "SERVICE",
      description = "Learn payload types from this service's schema.")
  @Nullable String service;

  @Option(
      names = "--descriptor-set",
      paramLabel = "FILE",
      description = "Learn payload types from this descriptor set.")
  @Nullable Path descriptorSet;

  @Override
  public Integer call() throws InterruptedException {
    if (count < 0) {
      throw VireoException.of(Status.INVALID_ARGUMENT, "--count: %d (expected: > 0)", count);
    }
    Output output = new Output(vireo.out, options.output);
    Map<String, String> extra = new HashMap<>();
    if (from == From.earliest) {
      extra.put("vireo.broker.kafka.consumer.auto.offset.reset", "earliest");
    }
    try (Session session = Session.open(options, extra)) {
      Types types = new Types(session);
      Broker broker = broker(session.config());
      CountDownLatch done = new CountDownLatch(1);
      AtomicInteger seen = new AtomicInteger();
      String queueGroup =
          group != null ? group : Session.NAME + "-" + UUID.randomUUID().toString().substring(0, 8);
      SubscribeOptions subscribeOptions =
          SubscribeOptions.builder().group(queueGroup).maxRetries(0).deadLetter(false).build();
      Subscription subscription =
          Session.block(
              broker.subscribe(
                  topic,
                  subscribeOptions,
                  message ->
                      Mono.fromRunnable(
                              () -> {
                                if (count > 0 && seen.get() >= count) {
                                  return;
                                }
                                synchronized (output) {
                                  output.row(event(message, types));
                                }
                                if (count > 0 && seen.incrementAndGet() >= count) {
                                  done.countDown();
                                }
                              })
                          .subscribeOn(Schedulers.boundedElastic())
                          .then()),
              Duration.ofSeconds(30),
              () ->
                  VireoException.of(
                      Status.UNAVAILABLE, "the broker did not subscribe to %s within 30 s", topic));
      Thread hook = new Thread(done::countDown, "vireo-cli-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        boolean finished =
            timeout == null ? await(done) : done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!finished && count > 0) {
          throw VireoException.of(
              Status.DEADLINE_EXCEEDED,
              "%d of %d events on %s within %d ms",
              seen.get(),
              count,
              topic,
              timeout.toMillis());
        }
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException exiting) {
          // Ctrl-C: the JVM is shutting down, which is how this command ends
        }
        subscription.close().block(Duration.ofSeconds(10));
        broker.close().block(Duration.ofSeconds(10));
      }
    }
    return 0;
  }

  private static boolean await(CountDownLatch done) throws InterruptedException {
    done.await();
    return true;
  }

  /**
   * The broker the settings name, created here: a subscription of raw messages needs the plugin
   * itself.
   */
  private static Broker broker(Config config) {
    String name = config.get("vireo.broker", "memory");
    List<String> names = new ArrayList<>();
    for (BrokerProvider provider : ServiceLoader.load(BrokerProvider.class)) {
      if (provider.name().equals(name)) {
        return provider.create(config);
      }
      names.add(provider.name());
    }
    throw VireoException.of(
        Status.INVALID_ARGUMENT,
        "unknown broker '%s' (available: %s)",
        name,
        String.join(", ", names));
  }

  private Map<String, Object> event(Message message, Types types) {
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("topic", message.topic());
    message.key().ifPresent(key -> event.put("key", key));
    event.put("headers", message.headers().asMap());
    String typeName = type != null ? type : message.headers().get(Message.TYPE).orElse("");
    event.put("type", typeName);
    String contentType =
        message.headers().get(Message.CONTENT_TYPE).orElse("application/x-protobuf");
    try {
      if (contentType.startsWith("application/json")) {
        event.put("payload", Output.JSON.readTree(message.payload()));
        return event;
      }
      Descriptors.Descriptor descriptor = types.find(typeName);
      DynamicMessage payload = DynamicMessage.parseFrom(descriptor, message.payload());
      JsonNode tree =
          Output.tree(payload, JsonFormat.TypeRegistry.newBuilder().add(descriptor).build());
      event.put("payload", tree);
    } catch (VireoException | IOException e) {
      event.put("payloadBase64", Base64.getEncoder().encodeToString(message.payload()));
      event.put(
          "error",
          e instanceof VireoException v ? v.status() + ": " + v.getMessage() : e.toString());
    }
    return event;
  }

  /** Payload types, each looked up once. */
  private final class Types {
    final Session session;
    final Map<String, Descriptors.Descriptor> known = new HashMap<>();
    final Map<String, VireoException> missing = new HashMap<>();

    Types(Session session) {
      this.session = session;
    }

    synchronized Descriptors.Descriptor find(String name) {
      if (name.isEmpty()) {
        throw VireoException.of(
            Status.NOT_FOUND, "the event has no vireo-type header (give --type MESSAGE)");
      }
      Descriptors.Descriptor found = known.get(name);
      if (found != null) {
        return found;
      }
      VireoException failed = missing.get(name);
      if (failed != null) {
        throw failed;
      }
      try {
        found =
            PublishCommand.descriptor(
                session, name, service, descriptorSet, Duration.ofSeconds(10));
        known.put(name, found);
        return found;
      } catch (VireoException e) {
        missing.put(name, e);
        throw e;
      }
    }
  }
}
