package io.vireo.internal.runtime;

import io.vireo.CallKind;
import io.vireo.Idempotent;
import io.vireo.Route;
import io.vireo.RpcMethod;
import io.vireo.RpcService;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A handler interface method resolved once: its route, kind and message types. Both the server
 * router and the client proxy are built from these.
 */
public record EndpointMethod(
    Method method,
    Route route,
    CallKind kind,
    Class<?> requestType,
    Class<?> responseType,
    boolean idempotent) {

  /** The full service name of a handler interface: {@link RpcService}, else its simple name. */
  public static String serviceName(Class<?> iface) {
    RpcService annotation = iface.getAnnotation(RpcService.class);
    return annotation != null ? annotation.value() : iface.getSimpleName();
  }

  /** Every abstract method of the interface, resolved; fails on a method that is no endpoint. */
  public static List<EndpointMethod> of(Class<?> iface) {
    if (!iface.isInterface()) {
      throw new IllegalArgumentException(
          iface.getName() + " (expected: an interface whose methods return Mono or Flux)");
    }
    String service = serviceName(iface);
    List<EndpointMethod> methods = new ArrayList<>();
    for (Method method : iface.getMethods()) {
      if (Modifier.isStatic(method.getModifiers()) || method.isDefault()) {
        continue;
      }
      methods.add(resolve(service, method));
    }
    if (methods.isEmpty()) {
      throw new IllegalArgumentException(
          iface.getName() + " has no abstract methods (expected: at least one endpoint)");
    }
    return methods;
  }

  private static EndpointMethod resolve(String service, Method method) {
    String where = method.getDeclaringClass().getSimpleName() + "." + method.getName();
    if (method.getParameterCount() != 1) {
      throw new IllegalArgumentException(
          where
              + " takes "
              + method.getParameterCount()
              + " parameters (expected: one request, or one Flux of requests)");
    }
    Class<?> returned = method.getReturnType();
    if (returned != Mono.class && returned != Flux.class) {
      throw new IllegalArgumentException(
          where + " returns " + returned.getSimpleName() + " (expected: Mono or Flux)");
    }
    Class<?> responseType = typeArgument(method.getGenericReturnType(), where + "'s return type");
    Class<?> parameter = method.getParameterTypes()[0];
    boolean clientStreams = parameter == Flux.class || parameter == Publisher.class;
    if (parameter == Mono.class) {
      throw new IllegalArgumentException(
          where + " takes a Mono (expected: a message, or a Flux of messages)");
    }
    Class<?> requestType =
        clientStreams
            ? typeArgument(method.getGenericParameterTypes()[0], where + "'s parameter")
            : parameter;
    CallKind kind;
    if (clientStreams) {
      kind = returned == Mono.class ? CallKind.CLIENT_STREAM : CallKind.BIDI_STREAM;
    } else if (returned == Flux.class) {
      kind = CallKind.SERVER_STREAM;
    } else {
      kind = responseType == Void.class ? CallKind.FIRE_AND_FORGET : CallKind.UNARY;
    }
    if (responseType == Void.class && kind != CallKind.FIRE_AND_FORGET) {
      throw new IllegalArgumentException(
          where
              + " answers Void in a "
              + kind
              + " call (expected: Mono<Void> m(Request) for fire-and-forget)");
    }
    RpcMethod name = method.getAnnotation(RpcMethod.class);
    String endpoint = name != null ? name.value() : capitalize(method.getName());
    return new EndpointMethod(
        method,
        Route.of(service, endpoint),
        kind,
        requestType,
        responseType,
        method.isAnnotationPresent(Idempotent.class));
  }

  private static Class<?> typeArgument(Type type, String what) {
    if (type instanceof ParameterizedType parameterized) {
      Type argument = parameterized.getActualTypeArguments()[0];
      if (argument instanceof Class<?> c) {
        return c;
      }
      if (argument instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
        return raw;
      }
    }
    throw new IllegalArgumentException(
        what
            + " "
            + type.getTypeName()
            + " (expected: a concrete message type, such as Mono<HelloReply>)");
  }

  private static String capitalize(String name) {
    return Character.toUpperCase(name.charAt(0)) + name.substring(1);
  }
}
