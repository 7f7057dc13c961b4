package io.vireo.registry.spi;

import io.vireo.registry.Registry;
import io.vireo.spi.PluginProvider;

/** Provides a {@link Registry} by name ({@code vireo.registry}). */
public interface RegistryProvider extends PluginProvider<Registry> {}
