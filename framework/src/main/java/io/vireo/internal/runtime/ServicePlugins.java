package io.vireo.internal.runtime;

import io.vireo.broker.spi.BrokerProvider;
import io.vireo.codec.Codec;
import io.vireo.codec.spi.CodecProvider;
import io.vireo.config.ConfigSource;
import io.vireo.config.spi.ConfigSourceProvider;
import io.vireo.internal.config.LayeredConfig;
import io.vireo.internal.observability.Disabled;
import io.vireo.registry.Registry;
import io.vireo.registry.spi.RegistryProvider;
import io.vireo.resilience.Resilience;
import io.vireo.selector.spi.SelectorProvider;
import io.vireo.transport.Transport;
import io.vireo.transport.spi.TransportProvider;
import io.vireo.wrapper.Wrapper;
import io.vireo.wrapper.spi.WrapperProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The plugins one service runs, each chosen by configuration unless the builder was given one: the
 * configuration itself (with its config sources), codec, registry, transports and wrappers. What it
 * created it closes; what the builder gave stays the caller's.
 */
final class ServicePlugins {
  private final ServiceRuntime.Spec spec;
  private final LayeredConfig config;
  private final Map<String, Transport> transports = new ConcurrentHashMap<>();
  private volatile Registry registry;

  ServicePlugins(ServiceRuntime.Spec spec) {
    this.spec = spec;
    this.config = config(spec);
  }

  /**
   * The builder's settings over the defaults, then the sources {@code vireo.config.sources} names.
   */
  private static LayeredConfig config(ServiceRuntime.Spec spec) {
    LayeredConfig.Builder builder =
        LayeredConfig.builder().setAll(spec.settings()).set("vireo.service.name", spec.name());
    LayeredConfig base = builder.build();
    Optional<String> sources = base.get("vireo.config.sources");
    if (sources.isEmpty() || sources.get().isBlank()) {
      return base;
    }
    for (String name : sources.get().split(",")) {
      if (!name.isBlank()) {
        ConfigSource source =
            Plugins.create(ConfigSourceProvider.class, "config.sources", name.trim(), base);
        builder.source(source);
      }
    }
    return builder.build();
  }

  LayeredConfig config() {
    return config;
  }

  /** Fails now for an unknown broker or selector name, which would otherwise fail at first use. */
  void checkNames() {
    if (spec.broker().isEmpty()) {
      Plugins.provider(BrokerProvider.class, "broker", config.get("vireo.broker", "memory"));
    }
    Plugins.provider(
        SelectorProvider.class, "selector", config.get("vireo.selector", "round-robin"));
  }

  Codec codec() {
    return spec.codec()
        .orElseGet(
            () ->
                Plugins.create(
                    CodecProvider.class, "codec", config.get("vireo.codec", "proto"), config));
  }

  /** The registry, created at the first call. */
  Registry registry() {
    if (registry == null) {
      registry =
          spec.registry()
              .orElseGet(
                  () ->
                      Plugins.create(
                          RegistryProvider.class,
                          "registry",
                          config.get("vireo.registry", "memory"),
                          config));
    }
    return registry;
  }

  /**
   * {@code vireo.transport}: one name, or several to serve on each (the first is the one clients
   * prefer).
   */
  List<String> transportNames() {
    List<String> names = new ArrayList<>();
    for (String name : config.get("vireo.transport", "rsocket").split(",")) {
      if (!name.isBlank() && !names.contains(name.trim())) {
        names.add(name.trim());
      }
    }
    if (names.isEmpty()) {
      throw new IllegalArgumentException(
          "vireo.transport: empty (expected: rsocket, grpc or memory, or a list such as rsocket,grpc)");
    }
    return names;
  }

  /** The first transport: the builder's, or the first name of {@code vireo.transport}. */
  Transport preferredTransport() {
    Transport transport =
        spec.transport()
            .orElseGet(
                () ->
                    Plugins.create(
                        TransportProvider.class, "transport", transportNames().get(0), config));
    transports.put(transport.name(), transport);
    return transport;
  }

  /** The transport of this name, created at the first call. */
  Transport transport(String name) {
    return transports.computeIfAbsent(
        name, n -> Plugins.create(TransportProvider.class, "transport", n, config));
  }

  Map<String, Transport> transports() {
    return transports;
  }

  /**
   * The wrapper chain, outermost first: {@code vireo.wrappers}, the builder's, then the resilience
   * that {@code vireo.client.services.*} and {@code vireo.server.endpoints.*} ask for.
   */
  List<Wrapper> wrappers() {
    List<Wrapper> all = new ArrayList<>();
    for (String name : config.get("vireo.wrappers", "").split(",")) {
      if (!name.isBlank()) {
        Wrapper wrapper = Plugins.create(WrapperProvider.class, "wrappers", name.trim(), config);
        if (!(wrapper instanceof Disabled)) { // e.g. tracing without an OpenTelemetry SDK
          all.add(wrapper);
        }
      }
    }
    all.addAll(spec.wrappers());
    all.addAll(Resilience.fromConfig(config));
    return List.copyOf(all);
  }

  /** Closes the transports, then the registry, that this service created. */
  void close(ShutdownSteps steps, Duration timeout) {
    for (Transport each : transports.values()) {
      if (spec.transport().filter(t -> t == each).isEmpty()) {
        steps.run("close transport " + each.name(), each.close(), timeout);
      }
    }
    Registry created = registry;
    if (created != null && spec.registry().isEmpty()) {
      steps.run("close registry", created.close(), timeout);
    }
  }
}
