package io.vireo.broker.spi;

import io.vireo.broker.Broker;
import io.vireo.spi.PluginProvider;

/** Provides a {@link Broker} by name ({@code vireo.broker}). */
public interface BrokerProvider extends PluginProvider<Broker> {}
