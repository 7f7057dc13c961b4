package io.vireo.internal.runtime;

import io.vireo.broker.Broker;
import io.vireo.config.Config;
import io.vireo.internal.observability.ServiceView;
import io.vireo.registry.Registry;
import io.vireo.registry.ServiceInstance;
import io.vireo.transport.Transport;
import io.vireo.wrapper.Wrapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/** What the admin endpoint shows of a service: live state, read on each request. */
final class ServiceAdminView implements ServiceView {
  private final ServiceRuntime.Spec spec;
  private final Config config;
  private final Supplier<String> state;
  private final BooleanSupplier started;
  private final ServiceBinding binding;
  private final ServiceEvents events;
  private final Registry registry;
  private final Map<String, Transport> transports;
  private final Codecs codecs;
  private final List<Wrapper> wrappers;

  ServiceAdminView(
      ServiceRuntime.Spec spec,
      Config config,
      Supplier<String> state,
      BooleanSupplier started,
      ServiceBinding binding,
      ServiceEvents events,
      Registry registry,
      Map<String, Transport> transports,
      Codecs codecs,
      List<Wrapper> wrappers) {
    this.spec = spec;
    this.config = config;
    this.state = state;
    this.started = started;
    this.binding = binding;
    this.events = events;
    this.registry = registry;
    this.transports = transports;
    this.codecs = codecs;
    this.wrappers = wrappers;
  }

  @Override
  public String name() {
    return spec.name();
  }

  @Override
  public String version() {
    return spec.version();
  }

  @Override
  public String state() {
    return state.get();
  }

  @Override
  public boolean serves() {
    return !spec.handlers().isEmpty();
  }

  @Override
  public boolean bound() {
    return binding.bound();
  }

  @Override
  public boolean registered() {
    return binding.registered();
  }

  @Override
  public List<ServiceInstance> instances() {
    return binding.instances();
  }

  @Override
  public boolean started() {
    return started.getAsBoolean();
  }

  @Override
  public boolean offline() {
    return binding.isOffline();
  }

  @Override
  public Mono<Void> takeOffline() {
    return binding.offline();
  }

  @Override
  public Mono<Void> bringOnline() {
    return binding.online();
  }

  @Override
  public List<String> endpoints() {
    return binding.endpoints();
  }

  @Override
  public Map<String, String> plugins() {
    Map<String, String> plugins = new LinkedHashMap<>();
    plugins.put(
        "registry",
        spec.registry()
            .map(r -> r.getClass().getName())
            .orElse(config.get("vireo.registry", "memory")));
    plugins.put("transport", String.join(",", transports.keySet()));
    plugins.put(
        "broker",
        spec.broker()
            .map(b -> b.getClass().getName())
            .orElse(config.get("vireo.broker", "memory")));
    plugins.put("codec", codecs.primary().name());
    plugins.put("selector", config.get("vireo.selector", "round-robin"));
    plugins.put(
        "wrappers", String.join(",", wrappers.stream().map(w -> w.getClass().getName()).toList()));
    return plugins;
  }

  @Override
  public Mono<Boolean> registryReachable() {
    return registry.reachable();
  }

  @Override
  public Optional<Mono<Boolean>> brokerReachable() {
    return events.broker().map(Broker::reachable);
  }
}
