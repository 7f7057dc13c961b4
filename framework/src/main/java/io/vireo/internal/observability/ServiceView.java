package io.vireo.internal.observability;

import io.vireo.registry.ServiceInstance;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import reactor.core.publisher.Mono;

/** What the admin endpoint reads of a running service; live values, read on each request. */
public interface ServiceView {
  String name();

  String version();

  /** NEW, STARTING, RUNNING, STOPPING or STOPPED. */
  String state();

  /**
   * Whether it serves handlers at all (a pure client needs no server or registration to be ready).
   */
  boolean serves();

  /** Whether every server it serves on is bound. */
  boolean bound();

  /** Whether its instances are in the registry now. */
  boolean registered();

  /**
   * Whether it has started (and registered, if it serves): true from then on, while it stops too.
   */
  boolean started();

  /** Whether it was taken out of the registry by {@link #offline()} and not put back. */
  boolean offline();

  /** Deregisters without stopping: calls still served; health checks do not register it again. */
  Mono<Void> takeOffline();

  /** Registers again after {@link #takeOffline()}. */
  Mono<Void> bringOnline();

  List<ServiceInstance> instances();

  List<String> endpoints();

  /** Plugin kind to the name(s) in use. */
  Map<String, String> plugins();

  Mono<Boolean> registryReachable();

  /** Empty until the broker is in use. */
  Optional<Mono<Boolean>> brokerReachable();
}
