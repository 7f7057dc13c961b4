package io.vireo;

import java.util.Objects;

/**
 * An endpoint's wire name: the full protobuf service name and a method.
 *
 * <p>{@code Route.of("vireo.samples.greeter.Greeter", "SayHello")} is
 * {@code vireo.samples.greeter.Greeter.SayHello} on RSocket and
 * {@code /vireo.samples.greeter.Greeter/SayHello} on gRPC.
 */
public final class Route {
  /**
   * The route server wrappers see for a call to an endpoint the server does not serve: one
   * bounded name ({@code unknown}) for all of them, so that metrics and logs cannot be flooded
   * with callers' strings. The call ends UNIMPLEMENTED, naming the route that was asked for.
   */
  public static final Route UNKNOWN = new Route("unknown", "unknown");

  private final String service;
  private final String method;
  private final String rsocketName;

  private Route(String service, String method) {
    this.service = service;
    this.method = method;
    this.rsocketName = service + '.' + method;
  }

  public static Route of(String service, String method) {
    if (service.isEmpty() || method.isEmpty() || method.indexOf('.') >= 0 || method.indexOf('/') >= 0) {
      throw new IllegalArgumentException(
          "route: '" + service + "' '" + method + "' (expected: a service such as pkg.Greeter and a method such as SayHello)");
    }
    return new Route(service, method);
  }

  /** Parses the RSocket form {@code pkg.Service.Method}: the method is after the last dot. */
  public static Route parse(String rsocketName) {
    int dot = rsocketName.lastIndexOf('.');
    if (dot <= 0 || dot == rsocketName.length() - 1) {
      throw new IllegalArgumentException(
          "route: '" + rsocketName + "' (expected: <package>.<Service>.<Method>)");
    }
    return new Route(rsocketName.substring(0, dot), rsocketName.substring(dot + 1));
  }

  /** Parses the gRPC full method name {@code pkg.Service/Method} (a leading slash is allowed). */
  public static Route parseGrpc(String fullMethodName) {
    String name = fullMethodName.startsWith("/") ? fullMethodName.substring(1) : fullMethodName;
    int slash = name.indexOf('/');
    if (slash <= 0 || slash == name.length() - 1) {
      throw new IllegalArgumentException(
          "route: '" + fullMethodName + "' (expected: /<package>.<Service>/<Method>)");
    }
    return of(name.substring(0, slash), name.substring(slash + 1));
  }

  /** The full service name, such as {@code vireo.samples.greeter.Greeter}. */
  public String service() {
    return service;
  }

  /** The method, such as {@code SayHello}. */
  public String method() {
    return method;
  }

  /** {@code pkg.Service.Method}, the RSocket routing name. */
  public String rsocketName() {
    return rsocketName;
  }

  /** {@code pkg.Service/Method}, gRPC's full method name (the HTTP/2 path without its slash). */
  public String grpcName() {
    return service + '/' + method;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Route other && rsocketName.equals(other.rsocketName);
  }

  @Override
  public int hashCode() {
    return rsocketName.hashCode();
  }

  @Override
  public String toString() {
    return rsocketName;
  }

  static Route requireNonNull(Route route) {
    return Objects.requireNonNull(route, "route");
  }
}
