package io.vireo.gateway.internal;

import io.vireo.config.Config;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The filter settings in force: global ({@code vireo.gateway.*}) and per service ({@code
 * vireo.gateway.services.<name>.*}).
 */
public final class Policies {
  private final Config config;
  private final Policy global;
  private final Map<String, Policy> services = new ConcurrentHashMap<>();

  Policies(Config config) {
    this.config = config;
    this.global = Policy.of("vireo.gateway.", config.subset("vireo.gateway"));
  }

  public Policy global() {
    return global;
  }

  /** The global settings with the service's on top. */
  public Policy service(String service) {
    return services.computeIfAbsent(
        service,
        name ->
            global.with(
                Policy.of(
                    "vireo.gateway.services." + name + ".",
                    config.subset("vireo.gateway.services." + name))));
  }
}
