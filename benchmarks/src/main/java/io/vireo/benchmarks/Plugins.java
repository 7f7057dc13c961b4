package io.vireo.benchmarks;

import io.vireo.config.Config;
import io.vireo.spi.PluginProvider;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * A plugin by its configuration name, as a service would load it (the public SPI, no internals).
 */
final class Plugins {
  private Plugins() {}

  static <T, P extends PluginProvider<T>> T create(
      Class<P> kind, String name, Map<String, String> config) {
    for (P provider : ServiceLoader.load(kind)) {
      if (provider.name().equals(name)) {
        return provider.create(Config.of(config));
      }
    }
    throw new IllegalArgumentException(
        kind.getSimpleName() + ": no plugin named '" + name + "' on the class path");
  }
}
