package io.vireo.wrapper.spi;

import io.vireo.spi.PluginProvider;
import io.vireo.wrapper.Wrapper;

/** Provides a {@link Wrapper} by name; {@code vireo.wrappers} lists the ones a service uses. */
public interface WrapperProvider extends PluginProvider<Wrapper> {}
