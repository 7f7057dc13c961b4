package io.vireo.codec.spi;

import io.vireo.codec.Codec;
import io.vireo.spi.PluginProvider;

/** Provides a {@link Codec} by name ({@code vireo.codec}). */
public interface CodecProvider extends PluginProvider<Codec> {}
