package io.vireo.cli;

import com.google.protobuf.DescriptorProtos;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.util.JsonFormat;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.reflection.ServiceSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vireo publish <topic> --type <message> [json]}: an event through the configured broker.
 */
@Command(
    name = "publish",
    mixinStandardHelpOptions = true,
    versionProvider = Vireo.Version.class,
    description = {
      "Publishes one event, given as JSON, with the headers a Vireo service sets (vireo-type, vireo-message-id, ...).",
      "The message type's schema comes from --descriptor-set, from --service's reflection, or from the first service in the registry that knows it."
    },
    footer = {
      "",
      "Example:",
      "  vireo publish user.created --type vireo.samples.events.UserCreated '{\"id\":\"u1\"}' --kafka 127.0.0.1:9092 --zookeeper 127.0.0.1:2181"
    })
final class PublishCommand implements Callable<Integer> {
  @ParentCommand Vireo vireo;

  @Mixin Options options;

  @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic.")
  String topic;

  @Parameters(index = "1", arity = "0..1", paramLabel = "JSON", description = "The event.")
  @Nullable String json;

  @Option(
      names = {"-d", "--data"},
      paramLabel = "JSON|@FILE|@-",
      description = "The event: JSON, @file, or @- for stdin.")
  @Nullable String data;

  @Option(
      names = {"-t", "--type"},
      required = true,
      paramLabel = "MESSAGE",
      description = "The event's full protobuf type name.")
  String type;

  @Option(
      names = {"-k", "--key"},
      paramLabel = "KEY",
      description = "The event's key (events of one key keep their order).")
  @Nullable String key;

  @Option(
      names = "--service",
      paramLabel = "SERVICE",
      description = "Learn the type from this service's schema.")
  @Nullable String service;

  @Option(
      names = "--descriptor-set",
      paramLabel = "FILE",
      description =
          "Learn the type from this descriptor set (protoc --include_imports --descriptor_set_out).")
  @Nullable Path descriptorSet;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = Options.Durations.class,
      description = "How long to wait for the broker (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Override
  public Integer call() {
    Output output = new Output(vireo.out, options.output);
    try (Session session = Session.open(options, Map.of())) {
      Descriptors.Descriptor descriptor =
          descriptor(session, type, service, descriptorSet, timeout);
      String text = Requests.text(json, data, vireo.in).orElse("");
      DynamicMessage event =
          Requests.parse(
              text,
              descriptor,
              JsonFormat.TypeRegistry.newBuilder().add(descriptor).build(),
              "the event");
      Session.block(
          (key == null
                  ? session.service().publish(topic, event)
                  : session.service().publish(topic, key, event))
              .thenReturn(Boolean.TRUE),
          timeout,
          () ->
              VireoException.of(
                  Status.DEADLINE_EXCEEDED,
                  "the broker did not accept the event on %s within %d ms",
                  topic,
                  timeout.toMillis()));
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("topic", topic);
      row.put("type", descriptor.getFullName());
      if (key != null) {
        row.put("key", key);
      }
      row.put("published", true);
      output.row(row);
    }
    return 0;
  }

  /** The type from a descriptor set, a named service, or any service in the registry. */
  static Descriptors.Descriptor descriptor(
      Session session,
      String type,
      @Nullable String service,
      @Nullable Path descriptorSet,
      Duration timeout) {
    if (descriptorSet != null) {
      return fromFile(descriptorSet)
          .message(type)
          .orElseThrow(
              () ->
                  VireoException.of(
                      Status.NOT_FOUND, "message type '%s' is not in %s", type, descriptorSet));
    }
    return session.message(type, Optional.ofNullable(service), timeout);
  }

  static ServiceSchema fromFile(Path file) {
    try {
      return ServiceSchema.of(
          DescriptorProtos.FileDescriptorSet.parseFrom(Files.readAllBytes(file)));
    } catch (IOException e) {
      throw VireoException.of(
          Status.INVALID_ARGUMENT, "--descriptor-set %s: %s", file, e.getMessage());
    }
  }
}
