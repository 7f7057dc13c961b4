package io.vireo.reflection;

import com.google.protobuf.Any;
import com.google.protobuf.Api;
import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Duration;
import com.google.protobuf.Empty;
import com.google.protobuf.FieldMask;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.SourceContext;
import com.google.protobuf.StringValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Type;
import com.google.protobuf.util.JsonFormat;
import io.vireo.CallKind;
import io.vireo.Route;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.client.GenericClient;
import io.vireo.internal.reflection.v1.ServerReflectionRequest;
import io.vireo.internal.reflection.v1.ServerReflectionResponse;
import io.vireo.internal.reflection.v1.ServiceResponse;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The protobuf schema of one service: its proto services, their methods, and every message they
 * use, as protobuf-java descriptors. Learned from a running instance through gRPC server reflection
 * ({@link #fetch}), which every Vireo service answers on every transport (and any gRPC server with
 * reflection on), or read from a descriptor set file ({@link #of}). Immutable.
 *
 * <pre>{@code
 * GenericClient greeter = service.genericClient("greeter");
 * ServiceSchema schema = ServiceSchema.fetch(greeter).block();
 * Descriptors.MethodDescriptor sayHello = schema.method("SayHello").orElseThrow();
 * DynamicMessage.Builder request = DynamicMessage.newBuilder(sayHello.getInputType());
 * JsonFormat.parser().usingTypeRegistry(schema.typeRegistry()).merge("{\"name\":\"Ada\"}", request);
 * byte[] reply = greeter.unary(ServiceSchema.route(sayHello), request.build().toByteArray()).block();
 * }</pre>
 */
public final class ServiceSchema {
  /** The reflection endpoint every Vireo service serves. */
  public static final Route REFLECTION =
      Route.of("grpc.reflection.v1.ServerReflection", "ServerReflectionInfo");

  private static final String REFLECTION_PREFIX = "grpc.reflection.";

  /** protobuf-java's own copies of the well-known types, for servers that leave them out. */
  private static final Map<String, Descriptors.FileDescriptor> WELL_KNOWN = wellKnown();

  private final List<Descriptors.FileDescriptor> files;
  private final List<Descriptors.ServiceDescriptor> services;
  private final Map<String, Descriptors.Descriptor> messages;
  private final JsonFormat.TypeRegistry typeRegistry;

  private ServiceSchema(Collection<Descriptors.FileDescriptor> roots) {
    Map<String, Descriptors.FileDescriptor> all = new LinkedHashMap<>();
    roots.forEach(file -> collect(file, all));
    this.files = List.copyOf(all.values());
    Map<String, Descriptors.ServiceDescriptor> services = new LinkedHashMap<>();
    Map<String, Descriptors.Descriptor> messages = new LinkedHashMap<>();
    for (Descriptors.FileDescriptor file : roots) {
      for (Descriptors.ServiceDescriptor service : file.getServices()) {
        if (!service.getFullName().startsWith(REFLECTION_PREFIX)) {
          services.putIfAbsent(service.getFullName(), service);
        }
      }
    }
    for (Descriptors.FileDescriptor file : files) {
      file.getMessageTypes().forEach(message -> collect(message, messages));
    }
    this.services = List.copyOf(services.values());
    this.messages = Map.copyOf(messages);
    this.typeRegistry = JsonFormat.TypeRegistry.newBuilder().add(messages.values()).build();
  }

  /**
   * Asks one instance of the client's service, over its transport, for the services it serves and
   * the files that define them. UNIMPLEMENTED if the instance does not answer reflection.
   */
  public static Mono<ServiceSchema> fetch(GenericClient client) {
    ServerReflectionRequest list =
        ServerReflectionRequest.newBuilder().setListServices("*").build();
    return client
        .bidiStream(REFLECTION, Flux.just(list.toByteArray()))
        .next()
        .switchIfEmpty(
            Mono.error(
                () ->
                    VireoException.of(
                        Status.UNAVAILABLE,
                        "service %s: server reflection answered nothing",
                        client.service())))
        .map(ServiceSchema::parse)
        .flatMap(
            response -> {
              List<String> names =
                  response.getListServicesResponse().getServiceList().stream()
                      .map(ServiceResponse::getName)
                      .filter(name -> !name.startsWith(REFLECTION_PREFIX))
                      .toList();
              if (names.isEmpty()) {
                return Mono.just(new ServiceSchema(List.of()));
              }
              Flux<byte[]> asks =
                  Flux.fromIterable(names)
                      .map(
                          name ->
                              ServerReflectionRequest.newBuilder()
                                  .setFileContainingSymbol(name)
                                  .build()
                                  .toByteArray());
              return client
                  .bidiStream(REFLECTION, asks)
                  .map(ServiceSchema::parse)
                  .collectList()
                  .map(ServiceSchema::fromResponses);
            })
        .onErrorMap(
            e -> !(e instanceof VireoException),
            e ->
                VireoException.of(
                    Status.INTERNAL,
                    "service %s: reading its schema through server reflection failed: %s",
                    client.service(),
                    e.toString()));
  }

  /**
   * From a descriptor set, as {@code protoc --include_imports --descriptor_set_out=F} writes it.
   */
  public static ServiceSchema of(DescriptorProtos.FileDescriptorSet set) {
    Map<String, DescriptorProtos.FileDescriptorProto> protos = new LinkedHashMap<>();
    set.getFileList().forEach(file -> protos.putIfAbsent(file.getName(), file));
    return new ServiceSchema(build(protos));
  }

  /**
   * The call kind a method's streaming flags give (a proto method cannot say fire-and-forget: that
   * is UNARY).
   */
  public static CallKind kind(Descriptors.MethodDescriptor method) {
    if (method.isClientStreaming()) {
      return method.isServerStreaming() ? CallKind.BIDI_STREAM : CallKind.CLIENT_STREAM;
    }
    return method.isServerStreaming() ? CallKind.SERVER_STREAM : CallKind.UNARY;
  }

  /** The route of a method: its service's full name and its name. */
  public static Route route(Descriptors.MethodDescriptor method) {
    return Route.of(method.getService().getFullName(), method.getName());
  }

  /** The proto services, without {@code grpc.reflection.*}. */
  public List<Descriptors.ServiceDescriptor> services() {
    return services;
  }

  /**
   * The method {@code method} of the proto service {@code protoService} (its full name, such as
   * {@code pkg.Greeter}).
   */
  public Optional<Descriptors.MethodDescriptor> method(String protoService, String method) {
    for (Descriptors.ServiceDescriptor service : services) {
      if (service.getFullName().equals(protoService)) {
        return Optional.ofNullable(service.findMethodByName(method));
      }
    }
    return Optional.empty();
  }

  /**
   * A method by its simple name ({@code SayHello}), when exactly one of the services has it; or by
   * its full name ({@code pkg.Greeter.SayHello} or {@code pkg.Greeter/SayHello}).
   */
  public Optional<Descriptors.MethodDescriptor> method(String method) {
    int slash = method.lastIndexOf('/');
    int dot = method.lastIndexOf('.');
    int cut = Math.max(slash, dot);
    if (cut > 0) {
      String service = method.substring(method.startsWith("/") ? 1 : 0, cut);
      return method(service, method.substring(cut + 1));
    }
    List<Descriptors.MethodDescriptor> found = new ArrayList<>();
    for (Descriptors.ServiceDescriptor service : services) {
      Descriptors.MethodDescriptor candidate = service.findMethodByName(method);
      if (candidate != null) {
        found.add(candidate);
      }
    }
    return found.size() == 1 ? Optional.of(found.get(0)) : Optional.empty();
  }

  /** Every method of every service, in order. */
  public List<Descriptors.MethodDescriptor> methods() {
    return services.stream().flatMap(service -> service.getMethods().stream()).toList();
  }

  /** A message type by its full name, such as {@code vireo.samples.greeter.HelloRequest}. */
  public Optional<Descriptors.Descriptor> message(String fullName) {
    String name = fullName.startsWith(".") ? fullName.substring(1) : fullName;
    return Optional.ofNullable(messages.get(name));
  }

  /** Every message type, for {@code JsonFormat} (so that {@code Any} fields print and parse). */
  public JsonFormat.TypeRegistry typeRegistry() {
    return typeRegistry;
  }

  /** Every file, dependencies included, as a descriptor set. */
  public DescriptorProtos.FileDescriptorSet toFileDescriptorSet() {
    DescriptorProtos.FileDescriptorSet.Builder set =
        DescriptorProtos.FileDescriptorSet.newBuilder();
    files.forEach(file -> set.addFile(file.toProto()));
    return set.build();
  }

  @Override
  public String toString() {
    return "ServiceSchema"
        + services.stream().map(Descriptors.ServiceDescriptor::getFullName).toList();
  }

  private static ServerReflectionResponse parse(byte[] bytes) {
    ServerReflectionResponse response;
    try {
      response = ServerReflectionResponse.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw VireoException.of(
          Status.INTERNAL,
          "server reflection answered what is not a ServerReflectionResponse: %s",
          e.getMessage());
    }
    if (response.hasErrorResponse()) {
      Status status = Status.of(response.getErrorResponse().getErrorCode());
      throw VireoException.of(
          status, "server reflection: %s", response.getErrorResponse().getErrorMessage());
    }
    return response;
  }

  private static ServiceSchema fromResponses(List<ServerReflectionResponse> responses) {
    Map<String, DescriptorProtos.FileDescriptorProto> protos = new LinkedHashMap<>();
    List<String> roots = new ArrayList<>();
    for (ServerReflectionResponse response : responses) {
      boolean first = true;
      for (ByteString bytes : response.getFileDescriptorResponse().getFileDescriptorProtoList()) {
        DescriptorProtos.FileDescriptorProto file;
        try {
          file = DescriptorProtos.FileDescriptorProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
          throw VireoException.of(
              Status.INTERNAL,
              "server reflection sent a file that does not parse: %s",
              e.getMessage());
        }
        protos.putIfAbsent(file.getName(), file);
        if (first) {
          roots.add(file.getName());
          first = false;
        }
      }
    }
    Map<String, Descriptors.FileDescriptor> built = new LinkedHashMap<>();
    List<Descriptors.FileDescriptor> files = new ArrayList<>();
    for (String root : roots) {
      files.add(build(root, protos, built, new HashSet<>()));
    }
    return new ServiceSchema(files);
  }

  private static List<Descriptors.FileDescriptor> build(
      Map<String, DescriptorProtos.FileDescriptorProto> protos) {
    Map<String, Descriptors.FileDescriptor> built = new LinkedHashMap<>();
    List<Descriptors.FileDescriptor> files = new ArrayList<>();
    for (String name : protos.keySet()) {
      files.add(build(name, protos, built, new HashSet<>()));
    }
    return files;
  }

  private static Descriptors.FileDescriptor build(
      String name,
      Map<String, DescriptorProtos.FileDescriptorProto> protos,
      Map<String, Descriptors.FileDescriptor> built,
      Set<String> visiting) {
    Descriptors.FileDescriptor done = built.get(name);
    if (done != null) {
      return done;
    }
    DescriptorProtos.FileDescriptorProto proto = protos.get(name);
    if (proto == null) {
      Descriptors.FileDescriptor known = WELL_KNOWN.get(name);
      if (known != null) {
        return known;
      }
      throw VireoException.of(
          Status.NOT_FOUND,
          "file %s is needed but was not sent (expected: every dependency, or a descriptor set made with --include_imports)",
          name);
    }
    if (!visiting.add(name)) {
      throw VireoException.of(Status.INVALID_ARGUMENT, "file %s depends on itself", name);
    }
    List<Descriptors.FileDescriptor> dependencies = new ArrayList<>();
    for (String dependency : proto.getDependencyList()) {
      dependencies.add(build(dependency, protos, built, visiting));
    }
    try {
      Descriptors.FileDescriptor file =
          Descriptors.FileDescriptor.buildFrom(
              proto, dependencies.toArray(new Descriptors.FileDescriptor[0]));
      built.put(name, file);
      return file;
    } catch (Descriptors.DescriptorValidationException e) {
      throw VireoException.of(
          Status.INVALID_ARGUMENT, "file %s does not build: %s", name, e.getMessage());
    }
  }

  private static void collect(
      Descriptors.FileDescriptor file, Map<String, Descriptors.FileDescriptor> all) {
    if (all.putIfAbsent(file.getName(), file) == null) {
      file.getDependencies().forEach(dependency -> collect(dependency, all));
    }
  }

  private static void collect(
      Descriptors.Descriptor message, Map<String, Descriptors.Descriptor> all) {
    all.putIfAbsent(message.getFullName(), message);
    message.getNestedTypes().forEach(nested -> collect(nested, all));
  }

  private static Map<String, Descriptors.FileDescriptor> wellKnown() {
    Map<String, Descriptors.FileDescriptor> files = new LinkedHashMap<>();
    for (Descriptors.FileDescriptor file :
        List.of(
            Any.getDescriptor().getFile(),
            Api.getDescriptor().getFile(),
            DescriptorProtos.getDescriptor(),
            Duration.getDescriptor().getFile(),
            Empty.getDescriptor().getFile(),
            FieldMask.getDescriptor().getFile(),
            SourceContext.getDescriptor().getFile(),
            Struct.getDescriptor().getFile(),
            Timestamp.getDescriptor().getFile(),
            Type.getDescriptor().getFile(),
            StringValue.getDescriptor().getFile())) {
      files.put(file.getName(), file);
    }
    return Map.copyOf(files);
  }
}
