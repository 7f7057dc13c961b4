package io.vireo.gateway.internal;

import io.vireo.config.Config;
import io.vireo.security.TokenVerifier;
import java.util.Optional;
import java.util.function.BiFunction;

/** What {@link io.vireo.gateway.Gateway} needs from this package's package-private parts. */
public final class GatewayAuthAccess {
  private GatewayAuthAccess() {}

  public static Optional<TokenVerifier> verifier(Config config) {
    return GatewayAuth.verifier(config);
  }

  /** Interim: RPC routes in configuration need the generic client, which the edge work adds. */
  public static BiFunction<RouteDef, RouteDef.Rpc, Handler> rpcRoutes() {
    return (route, rpc) -> {
      throw new IllegalArgumentException("vireo.gateway.routes: route " + route.id() + " names service " + rpc.service()
          + " (expected: uri; RPC routes come with the generic client)");
    };
  }
}
