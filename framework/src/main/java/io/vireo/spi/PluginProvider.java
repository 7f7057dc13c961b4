package io.vireo.spi;

import io.vireo.config.Config;

/**
 * Makes one plugin by name from configuration. Implementations are listed in {@code
 * META-INF/services} under their kind's provider interface ({@code TransportProvider}, {@code
 * RegistryProvider}, ...) and must touch no class of the library they wrap until {@link #create}.
 */
public interface PluginProvider<T> {
  /** The name configuration selects this plugin by, such as {@code rsocket}. */
  String name();

  /** A new plugin configured from {@code config}. Fails with a message that names the bad key. */
  T create(Config config);
}
