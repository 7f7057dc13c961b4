package io.vireo.selector.spi;

import io.vireo.selector.Selector;
import io.vireo.spi.PluginProvider;

/**
 * Provides a {@link Selector} by name ({@code vireo.selector}). One selector serves one target
 * service.
 */
public interface SelectorProvider extends PluginProvider<Selector> {}
