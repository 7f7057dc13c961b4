package io.vireo.internal.reflection;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Message;
import io.vireo.Status;
import io.vireo.internal.reflection.v1.ErrorResponse;
import io.vireo.internal.reflection.v1.ExtensionNumberResponse;
import io.vireo.internal.reflection.v1.ExtensionRequest;
import io.vireo.internal.reflection.v1.FileDescriptorResponse;
import io.vireo.internal.reflection.v1.ListServiceResponse;
import io.vireo.internal.reflection.v1.ReflectionProto;
import io.vireo.internal.reflection.v1.ServerReflectionRequest;
import io.vireo.internal.reflection.v1.ServerReflectionResponse;
import io.vireo.internal.reflection.v1.ServiceResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

/**
 * Answers server reflection from the protobuf descriptors of the message classes a service serves:
 * the .proto files that define them (and their dependencies) are the files it knows, and the
 * services it lists are those it serves whose definition is in one of these files. Every request
 * gets one response, in order; an unknown name is a NOT_FOUND error response, and the stream goes
 * on.
 *
 * <p>The reflection service lists itself ({@code grpc.reflection.v1.ServerReflection}), as
 * grpc-java's and grpc-go's do, so that tools that expect it find it; the v1alpha name is served
 * but not listed, as its descriptor differs only by package.
 */
public final class ReflectionService implements ServerReflection, ServerReflection.Legacy {
  private static final Logger log = LoggerFactory.getLogger(ReflectionService.class);

  private final List<String> services;
  private final Map<String, Descriptors.FileDescriptor> files = new LinkedHashMap<>();
  private final Map<String, Descriptors.FileDescriptor> symbols = new HashMap<>();
  private final Map<String, Map<Integer, Descriptors.FileDescriptor>> extensions = new HashMap<>();

  private ReflectionService(
      Collection<String> served, Collection<Descriptors.FileDescriptor> roots) {
    for (Descriptors.FileDescriptor root : roots) {
      index(root);
    }
    Set<String> listed = new TreeSet<>();
    for (String service : served) {
      if (symbols.containsKey(service) && !service.equals(Legacy.SERVICE)) {
        listed.add(service);
      } else if (!service.startsWith("grpc.reflection.")) {
        log.debug(
            "reflection: no .proto file defines service {}; it is served but not listed", service);
      }
    }
    this.services = List.copyOf(listed);
  }

  /**
   * A reflection service for the services {@code served} (full proto names), described by the files
   * of {@code messageTypes} (generated protobuf classes; other types are skipped) and by {@code
   * extraFiles}; its own file is added.
   */
  public static ReflectionService of(
      Collection<String> served,
      Collection<Class<?>> messageTypes,
      Collection<Descriptors.FileDescriptor> extraFiles) {
    Set<Descriptors.FileDescriptor> roots = new LinkedHashSet<>(extraFiles);
    roots.add(ReflectionProto.getDescriptor());
    for (Class<?> type : messageTypes) {
      descriptor(type).ifPresent(d -> roots.add(d.getFile()));
    }
    Set<String> all = new LinkedHashSet<>(served);
    all.add(ServerReflection.SERVICE);
    return new ReflectionService(all, roots);
  }

  /** The descriptor of a generated protobuf message class. */
  public static Optional<Descriptors.Descriptor> descriptor(Class<?> type) {
    if (!Message.class.isAssignableFrom(type)) {
      return Optional.empty();
    }
    try {
      return Optional.of((Descriptors.Descriptor) type.getMethod("getDescriptor").invoke(null));
    } catch (ReflectiveOperationException | ClassCastException e) {
      log.debug("no protobuf descriptor for {}: {}", type.getName(), e.toString());
      return Optional.empty();
    }
  }

  /** The services listed, sorted. */
  public List<String> services() {
    return services;
  }

  @Override
  public Flux<ServerReflectionResponse> serverReflectionInfo(
      Flux<ServerReflectionRequest> requests) {
    return requests.map(this::answer);
  }

  ServerReflectionResponse answer(ServerReflectionRequest request) {
    ServerReflectionResponse.Builder response =
        ServerReflectionResponse.newBuilder()
            .setValidHost(request.getHost())
            .setOriginalRequest(request);
    switch (request.getMessageRequestCase()) {
      case LIST_SERVICES:
        {
          ListServiceResponse.Builder list = ListServiceResponse.newBuilder();
          services.forEach(name -> list.addService(ServiceResponse.newBuilder().setName(name)));
          return response.setListServicesResponse(list).build();
        }
      case FILE_BY_FILENAME:
        return withFile(
            response, files.get(request.getFileByFilename()), "file", request.getFileByFilename());
      case FILE_CONTAINING_SYMBOL:
        return withFile(
            response,
            symbols.get(request.getFileContainingSymbol()),
            "symbol",
            request.getFileContainingSymbol());
      case FILE_CONTAINING_EXTENSION:
        {
          ExtensionRequest extension = request.getFileContainingExtension();
          Descriptors.FileDescriptor file =
              extensions
                  .getOrDefault(extension.getContainingType(), Map.of())
                  .get(extension.getExtensionNumber());
          return withFile(
              response,
              file,
              "extension",
              extension.getContainingType() + "(" + extension.getExtensionNumber() + ")");
        }
      case ALL_EXTENSION_NUMBERS_OF_TYPE:
        {
          String type = request.getAllExtensionNumbersOfType();
          if (!symbols.containsKey(type)) {
            return error(response, Status.NOT_FOUND, "type not found: " + type);
          }
          return response
              .setAllExtensionNumbersResponse(
                  ExtensionNumberResponse.newBuilder()
                      .setBaseTypeName(type)
                      .addAllExtensionNumber(extensions.getOrDefault(type, Map.of()).keySet()))
              .build();
        }
      default:
        return error(
            response,
            Status.INVALID_ARGUMENT,
            "empty request (expected one of: list_services, file_by_filename, file_containing_symbol, "
                + "file_containing_extension, all_extension_numbers_of_type)");
    }
  }

  private static ServerReflectionResponse withFile(
      ServerReflectionResponse.Builder response,
      Descriptors.@Nullable FileDescriptor file,
      String what,
      String name) {
    if (file == null) {
      return error(response, Status.NOT_FOUND, what + " not found: " + name);
    }
    // the file first, then every file it depends on, each once: a client needs them all to build it
    FileDescriptorResponse.Builder files = FileDescriptorResponse.newBuilder();
    Set<String> seen = new LinkedHashSet<>();
    Deque<Descriptors.FileDescriptor> pending = new ArrayDeque<>(List.of(file));
    while (!pending.isEmpty()) {
      Descriptors.FileDescriptor next = pending.removeFirst();
      if (seen.add(next.getName())) {
        files.addFileDescriptorProto(ByteString.copyFrom(next.toProto().toByteArray()));
        pending.addAll(next.getDependencies());
      }
    }
    return response.setFileDescriptorResponse(files).build();
  }

  private static ServerReflectionResponse error(
      ServerReflectionResponse.Builder response, Status status, String message) {
    return response
        .setErrorResponse(
            ErrorResponse.newBuilder().setErrorCode(status.code()).setErrorMessage(message))
        .build();
  }

  private void index(Descriptors.FileDescriptor file) {
    if (files.putIfAbsent(file.getName(), file) != null) {
      return;
    }
    for (Descriptors.FileDescriptor dependency : file.getDependencies()) {
      index(dependency);
    }
    String pkg = file.getPackage();
    if (!pkg.isEmpty()) {
      symbols.putIfAbsent(pkg, file);
    }
    for (Descriptors.Descriptor message : file.getMessageTypes()) {
      index(file, message);
    }
    for (Descriptors.EnumDescriptor type : file.getEnumTypes()) {
      symbols.putIfAbsent(type.getFullName(), file);
    }
    for (Descriptors.ServiceDescriptor service : file.getServices()) {
      symbols.putIfAbsent(service.getFullName(), file);
      for (Descriptors.MethodDescriptor method : service.getMethods()) {
        symbols.putIfAbsent(method.getFullName(), file);
      }
    }
    for (Descriptors.FieldDescriptor extension : file.getExtensions()) {
      extension(file, extension);
    }
  }

  private void index(Descriptors.FileDescriptor file, Descriptors.Descriptor message) {
    symbols.putIfAbsent(message.getFullName(), file);
    for (Descriptors.FieldDescriptor field : message.getFields()) {
      symbols.putIfAbsent(field.getFullName(), file);
    }
    for (Descriptors.Descriptor nested : message.getNestedTypes()) {
      index(file, nested);
    }
    for (Descriptors.EnumDescriptor type : message.getEnumTypes()) {
      symbols.putIfAbsent(type.getFullName(), file);
    }
    for (Descriptors.FieldDescriptor extension : message.getExtensions()) {
      extension(file, extension);
    }
  }

  private void extension(Descriptors.FileDescriptor file, Descriptors.FieldDescriptor extension) {
    symbols.putIfAbsent(extension.getFullName(), file);
    extensions
        .computeIfAbsent(extension.getContainingType().getFullName(), t -> new TreeMap<>())
        .putIfAbsent(extension.getNumber(), file);
  }

  /** For tests and logs. */
  @Override
  public String toString() {
    return "reflection of " + new ArrayList<>(services);
  }
}
