package io.vireo.gateway.internal;

import java.util.Optional;

/**
 * Routes that come from somewhere else than {@code vireo.gateway.routes}: events, gRPC,
 * descriptors.
 */
@FunctionalInterface
public interface Mapping {
  /** The route for this request, if this mapping has one. */
  Optional<Routed> route(Exchange exchange, Policies policies);

  /** A request's route: its id (for metrics and filter state), its filter settings, its target. */
  record Routed(String id, Policy policy, Handler target) {}
}
