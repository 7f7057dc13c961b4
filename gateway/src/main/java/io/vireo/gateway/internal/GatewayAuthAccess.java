package io.vireo.gateway.internal;

import io.vireo.config.Config;
import io.vireo.security.TokenVerifier;
import java.util.Optional;

/** What {@link io.vireo.gateway.Gateway} needs from this package's package-private parts. */
public final class GatewayAuthAccess {
  private GatewayAuthAccess() {}

  public static Optional<TokenVerifier> verifier(Config config) {
    return GatewayAuth.verifier(config);
  }
}
