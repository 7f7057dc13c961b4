package io.vireo;

import java.util.Objects;

/**
 * An endpoint's name: the full protobuf service name and a method.
 *
 * <p>{@code Route.of("vireo.samples.greeter.Greeter", "SayHello")} has the full name {@code
 * vireo.samples.greeter.Greeter.SayHello}, the protobuf full name of the method. How a transport
 * writes a route on its wire is the transport's business (the RSocket transport's routing tag is
 * the full name; the gRPC transport's method is {@code vireo.samples.greeter.Greeter/SayHello}).
 */
public final class Route {
  /**
   * The route server wrappers see for a call to an endpoint the server does not serve: one bounded
   * name ({@code unknown}) for all of them, so that metrics and logs cannot be flooded with
   * callers' strings. The call ends UNIMPLEMENTED, naming the route that was asked for.
   */
  public static final Route UNKNOWN = new Route("unknown", "unknown");

  private final String service;
  private final String method;
  private final String fullName;

  private Route(String service, String method) {
    this.service = service;
    this.method = method;
    this.fullName = service + '.' + method;
  }

  public static Route of(String service, String method) {
    if (service.isEmpty()
        || method.isEmpty()
        || method.indexOf('.') >= 0
        || method.indexOf('/') >= 0) {
      throw new IllegalArgumentException(
          "route: '"
              + service
              + "' '"
              + method
              + "' (expected: a service such as pkg.Greeter and a method such as SayHello)");
    }
    return new Route(service, method);
  }

  /** Parses a full name {@code pkg.Service.Method}: the method is after the last dot. */
  public static Route parse(String fullName) {
    int dot = fullName.lastIndexOf('.');
    if (dot <= 0 || dot == fullName.length() - 1) {
      throw new IllegalArgumentException(
          "route: '" + fullName + "' (expected: <package>.<Service>.<Method>)");
    }
    return new Route(fullName.substring(0, dot), fullName.substring(dot + 1));
  }

  /** The full service name, such as {@code vireo.samples.greeter.Greeter}. */
  public String service() {
    return service;
  }

  /** The method, such as {@code SayHello}. */
  public String method() {
    return method;
  }

  /**
   * {@code pkg.Service.Method}: the method's protobuf full name, also the name that metrics, logs
   * and {@code vireo.server.endpoints.<full name>.*} keys use.
   */
  public String fullName() {
    return fullName;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Route other && fullName.equals(other.fullName);
  }

  @Override
  public int hashCode() {
    return fullName.hashCode();
  }

  @Override
  public String toString() {
    return fullName;
  }

  static Route requireNonNull(Route route) {
    return Objects.requireNonNull(route, "route");
  }
}
