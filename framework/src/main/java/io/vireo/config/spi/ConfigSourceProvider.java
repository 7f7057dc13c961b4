package io.vireo.config.spi;

import io.vireo.config.ConfigSource;
import io.vireo.spi.PluginProvider;

/**
 * Provides a dynamic {@link ConfigSource} by name; {@code vireo.config.sources} lists the ones a
 * service uses. {@link #create} gets the configuration of the lower layers and the service's name
 * under {@code vireo.service.name}.
 */
public interface ConfigSourceProvider extends PluginProvider<ConfigSource> {}
