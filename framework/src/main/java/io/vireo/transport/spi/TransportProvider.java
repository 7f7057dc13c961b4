package io.vireo.transport.spi;

import io.vireo.spi.PluginProvider;
import io.vireo.transport.Transport;

/** Provides a {@link Transport} by name ({@code vireo.transport}). */
public interface TransportProvider extends PluginProvider<Transport> {}
