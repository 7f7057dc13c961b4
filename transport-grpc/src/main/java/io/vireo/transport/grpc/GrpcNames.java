package io.vireo.transport.grpc;

import io.vireo.Route;

/**
 * How a {@link Route} is named on the gRPC wire: the full method name {@code pkg.Service/Method},
 * which is also the HTTP/2 path without its leading slash.
 */
public final class GrpcNames {
  private GrpcNames() {}

  /** {@code pkg.Service/Method}, gRPC's full method name of {@code route}. */
  public static String fullMethodName(Route route) {
    return route.service() + '/' + route.method();
  }

  /**
   * The route of a gRPC full method name {@code pkg.Service/Method} (a leading slash, as in the
   * HTTP/2 path, is allowed).
   *
   * @throws IllegalArgumentException naming the expected form
   */
  public static Route route(String fullMethodName) {
    String name = fullMethodName.startsWith("/") ? fullMethodName.substring(1) : fullMethodName;
    int slash = name.indexOf('/');
    if (slash <= 0 || slash == name.length() - 1) {
      throw new IllegalArgumentException(
          "route: '" + fullMethodName + "' (expected: /<package>.<Service>/<Method>)");
    }
    return Route.of(name.substring(0, slash), name.substring(slash + 1));
  }
}
