package io.vireo.internal.runtime;

import com.google.protobuf.Descriptors;
import com.google.protobuf.Message;
import io.vireo.CallKind;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a handler interface against its {@code .proto} at start: the protobuf message classes of
 * its methods carry their file's descriptor, services included. When the interface's service name
 * ({@code @RpcService}) is a service there, each method must be one of its rpcs, with the same
 * message types and streaming; else the service fails to start naming the method and the rpcs that
 * exist (rather than answering UNIMPLEMENTED at the first call). Fire-and-forget methods ({@code
 * Mono<Void> m(Q)}) that the proto does not name are allowed. An interface whose service is in none
 * of those files (plain Java types, JSON) is not checked.
 */
final class ProtoCheck {
  private ProtoCheck() {}

  static void check(Class<?> iface) {
    List<EndpointMethod> methods = EndpointMethod.of(iface);
    String serviceName = EndpointMethod.serviceName(iface);
    Optional<Descriptors.ServiceDescriptor> found = find(serviceName, methods);
    if (found.isEmpty()) {
      return;
    }
    Descriptors.ServiceDescriptor service = found.get();
    for (EndpointMethod endpoint : methods) {
      String where = iface.getName() + "." + endpoint.method().getName();
      Descriptors.MethodDescriptor rpc = service.findMethodByName(endpoint.route().method());
      if (rpc == null && endpoint.kind() == CallKind.FIRE_AND_FORGET) {
        // fire-and-forget (Mono<Void> m(Q)) is Vireo's own kind, which a .proto cannot declare:
        // it may stand beside the proto's rpcs
        continue;
      }
      if (rpc == null) {
        throw new IllegalArgumentException(
            where
                + ": endpoint "
                + endpoint.route().method()
                + " is no rpc of service "
                + service.getFullName()
                + " in "
                + service.getFile().getName()
                + " (its rpcs: "
                + rpcs(service)
                + "; name the method after one, or give @RpcMethod)");
      }
      checkType(where, "request", endpoint.requestType(), rpc.getInputType());
      if (endpoint.kind() != CallKind.FIRE_AND_FORGET) {
        checkType(where, "response", endpoint.responseType(), rpc.getOutputType());
        boolean clientStreams =
            endpoint.kind() == CallKind.CLIENT_STREAM || endpoint.kind() == CallKind.BIDI_STREAM;
        boolean serverStreams =
            endpoint.kind() == CallKind.SERVER_STREAM || endpoint.kind() == CallKind.BIDI_STREAM;
        if (clientStreams != rpc.isClientStreaming() || serverStreams != rpc.isServerStreaming()) {
          throw new IllegalArgumentException(
              where
                  + " is "
                  + endpoint.kind()
                  + " but rpc "
                  + rpc.getFullName()
                  + " is "
                  + kind(rpc)
                  + " (expected: "
                  + signature(rpc)
                  + ")");
        }
      }
    }
  }

  private static void checkType(
      String where, String what, Class<?> type, Descriptors.Descriptor expected) {
    Optional<Descriptors.Descriptor> actual = descriptor(type);
    if (actual.isPresent() && !actual.get().getFullName().equals(expected.getFullName())) {
      throw new IllegalArgumentException(
          where
              + ": "
              + what
              + " type "
              + actual.get().getFullName()
              + " but the rpc's is "
              + expected.getFullName());
    }
  }

  /**
   * The service named {@code name} in the files of the methods' message types (and the files they
   * import).
   */
  private static Optional<Descriptors.ServiceDescriptor> find(
      String name, List<EndpointMethod> methods) {
    Deque<Descriptors.FileDescriptor> files = new ArrayDeque<>();
    for (EndpointMethod method : methods) {
      descriptor(method.requestType()).ifPresent(d -> files.add(d.getFile()));
      descriptor(method.responseType()).ifPresent(d -> files.add(d.getFile()));
    }
    Set<String> seen = new HashSet<>();
    while (!files.isEmpty()) {
      Descriptors.FileDescriptor file = files.poll();
      if (!seen.add(file.getName())) {
        continue;
      }
      for (Descriptors.ServiceDescriptor service : file.getServices()) {
        if (service.getFullName().equals(name)) {
          return Optional.of(service);
        }
      }
      files.addAll(file.getDependencies());
    }
    return Optional.empty();
  }

  private static Optional<Descriptors.Descriptor> descriptor(Class<?> type) {
    if (!Message.class.isAssignableFrom(type)
        || type.isInterface()
        || Modifier.isAbstract(type.getModifiers())) {
      return Optional.empty();
    }
    try {
      return Optional.of((Descriptors.Descriptor) type.getMethod("getDescriptor").invoke(null));
    } catch (ReflectiveOperationException | ClassCastException e) {
      return Optional.empty();
    }
  }

  private static String rpcs(Descriptors.ServiceDescriptor service) {
    return String.join(", ", service.getMethods().stream().map(ProtoCheck::signature).toList());
  }

  private static String signature(Descriptors.MethodDescriptor rpc) {
    return rpc.getName()
        + "("
        + (rpc.isClientStreaming() ? "stream " : "")
        + rpc.getInputType().getName()
        + ") returns ("
        + (rpc.isServerStreaming() ? "stream " : "")
        + rpc.getOutputType().getName()
        + ")";
  }

  private static String kind(Descriptors.MethodDescriptor rpc) {
    if (rpc.isClientStreaming()) {
      return rpc.isServerStreaming() ? "BIDI_STREAM" : "CLIENT_STREAM";
    }
    return rpc.isServerStreaming() ? "SERVER_STREAM" : "UNARY";
  }
}
