package io.vireo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.vireo.CallKind;
import io.vireo.CallOptions;
import io.vireo.Route;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.client.GenericClient;
import io.vireo.reflection.ServiceSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/** {@code vireo call <service> <Method> [json]}: any call kind, JSON in and out. */
@Command(
    name = "call",
    mixinStandardHelpOptions = true,
    versionProvider = Vireo.Version.class,
    description = {
      "Calls a method with JSON (proto3 JSON mapping), printing one JSON document per reply.",
      "Unary and server-stream calls send one message: the JSON argument, -d JSON, -d @file or -d @- (stdin); none is {}.",
      "Client and bidi streams send one message per line: of the argument or -d, else of stdin, as it is read."
    },
    footer = {
      "",
      "Examples:",
      "  vireo call greeter SayHello '{\"name\":\"Ada\"}' --zookeeper 127.0.0.1:2181",
      "  vireo call greeter LotsOfReplies -d @request.json --timeout 2s",
      "  printf '{\"name\":\"a\"}\\n{\"name\":\"b\"}\\n' | vireo call greeter BidiHello",
      "  vireo call greeter vireo.samples.greeter.Greeter/SayHello -H x-tenant:acme --instance greeter-1a2b3c4d"
    })
final class CallCommand implements Callable<Integer> {
  @ParentCommand Vireo vireo;

  @Mixin Options options;

  @Parameters(
      index = "0",
      paramLabel = "SERVICE",
      description = "The service's name in the registry.")
  String service;

  @Parameters(
      index = "1",
      paramLabel = "METHOD",
      description = "SayHello, or pkg.Service/SayHello when several services have it.")
  String method;

  @Parameters(index = "2", arity = "0..1", paramLabel = "JSON", description = "The request.")
  @Nullable String json;

  @Option(
      names = {"-d", "--data"},
      paramLabel = "JSON|@FILE|@-",
      description = "The request: JSON, @file, or @- for stdin.")
  @Nullable String data;

  @Option(
      names = {"-H", "--header"},
      paramLabel = "NAME:VALUE",
      description = "A header to send (repeatable).")
  List<String> headers = new ArrayList<>();

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = Options.Durations.class,
      description =
          "The call's deadline (default: vireo.client.timeout for unary and client-stream calls, none for server streams).")
  @Nullable Duration timeout;

  @Option(
      names = "--instance",
      paramLabel = "ID",
      description = "Call this instance (an id from describe).")
  @Nullable String instance;

  @Option(
      names = "--fire-and-forget",
      description = "Send as fire-and-forget (a Mono<Void> endpoint): nothing is answered.")
  boolean fireAndForget;

  @Option(
      names = "--idempotent",
      description = "Retry on UNAVAILABLE (vireo.client.retries times, on other instances).")
  boolean idempotent;

  @Override
  public Integer call() {
    Output output = new Output(vireo.out, options.output);
    try (Session session = Session.open(options, Map.of())) {
      session.require(service);
      ServiceSchema schema =
          session.schema(service, timeout == null ? Duration.ofSeconds(10) : timeout);
      Descriptors.MethodDescriptor descriptor =
          schema.method(method).orElseThrow(() -> unknown(schema));
      CallKind kind = fireAndForget ? CallKind.FIRE_AND_FORGET : ServiceSchema.kind(descriptor);
      Route route = ServiceSchema.route(descriptor);
      JsonFormat.TypeRegistry types = schema.typeRegistry();
      Descriptors.Descriptor requestType = descriptor.getInputType();
      Optional<String> text = Requests.text(json, data, vireo.in);
      GenericClient client = session.client(service);
      Function<Context, Context> context = context();
      Function<byte[], Map<String, Object>> reply =
          bytes -> print(output, descriptor.getOutputType(), types, bytes);
      String where = "the request to " + route.fullName();
      switch (kind) {
        case UNARY:
          reply.apply(
              client
                  .unary(
                      route,
                      Requests.parse(text.orElse(""), requestType, types, where).toByteArray())
                  .contextWrite(context)
                  .block());
          break;
        case FIRE_AND_FORGET:
          client
              .fireAndForget(
                  route, Requests.parse(text.orElse(""), requestType, types, where).toByteArray())
              .contextWrite(context)
              .block();
          // "sent" means handed to the transport: one round trip on the same connection (frames
          // keep
          // their order) makes sure it left before the command closes the connection
          ServiceSchema.fetch(client)
              .contextWrite(context)
              .onErrorResume(e -> Mono.empty())
              .block(Duration.ofSeconds(5));
          break;
        case SERVER_STREAM:
          client
              .serverStream(
                  route, Requests.parse(text.orElse(""), requestType, types, where).toByteArray())
              .contextWrite(context)
              .doOnNext(reply::apply)
              .blockLast();
          break;
        default:
          Flux<byte[]> requests =
              text.map(given -> Requests.lines(given, requestType, types))
                  .orElseGet(() -> Requests.lines(vireo.in, requestType, types));
          if (kind == CallKind.CLIENT_STREAM) {
            reply.apply(client.clientStream(route, requests).contextWrite(context).block());
          } else {
            client
                .bidiStream(route, requests)
                .contextWrite(context)
                .doOnNext(reply::apply)
                .blockLast();
          }
      }
    }
    return 0;
  }

  private Function<Context, Context> context() {
    Function<Context, Context> context = Function.identity();
    if (timeout != null) {
      context = context.andThen(CallOptions.timeout(timeout));
    }
    for (String header : headers) {
      int colon = header.indexOf(':');
      if (colon <= 0) {
        throw VireoException.of(
            Status.INVALID_ARGUMENT,
            "-H '%s' (expected: NAME:VALUE, such as x-tenant:acme)",
            header);
      }
      context =
          context.andThen(
              CallOptions.header(
                  header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                  header.substring(colon + 1).trim()));
    }
    if (instance != null) {
      context = context.andThen(CallOptions.instance(instance));
    }
    if (idempotent) {
      context = context.andThen(CallOptions.idempotent(true));
    }
    return context;
  }

  private VireoException unknown(ServiceSchema schema) {
    List<String> methods =
        schema.methods().stream().map(m -> m.getService().getName() + "/" + m.getName()).toList();
    return VireoException.of(
        Status.NOT_FOUND,
        "service %s has no method '%s'%s (it has: %s)",
        service,
        method,
        schema.methods().stream().filter(m -> m.getName().equals(method)).count() > 1
            ? " that is unambiguous: name it as pkg.Service/Method"
            : "",
        methods.isEmpty() ? "none that reflection describes" : String.join(", ", methods));
  }

  private static Map<String, Object> print(
      Output output,
      Descriptors.Descriptor type,
      JsonFormat.TypeRegistry types,
      byte @Nullable [] bytes) {
    if (bytes == null) {
      throw VireoException.of(Status.INTERNAL, "the call completed without a reply");
    }
    DynamicMessage message;
    try {
      message = DynamicMessage.parseFrom(type, bytes);
    } catch (InvalidProtocolBufferException e) {
      throw VireoException.of(
          Status.INTERNAL, "the reply is not a %s: %s", type.getFullName(), e.getMessage());
    }
    JsonNode tree = Output.tree(message, types);
    output.message(tree);
    return Output.fields(tree);
  }
}
