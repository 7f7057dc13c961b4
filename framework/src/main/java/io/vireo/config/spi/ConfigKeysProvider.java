package io.vireo.config.spi;

import java.util.Set;

/**
 * The {@code vireo.*} keys a module reads, so that a service warns at start about a key that no
 * module knows (a misspelling such as {@code vireo.tranport}), naming the nearest known one. Listed
 * in {@code META-INF/services/io.vireo.config.spi.ConfigKeysProvider}; every plugin module ships
 * one, and so may an application with {@code vireo.*} keys of its own.
 *
 * <p>A key is exact ({@code vireo.broker.kafka.bootstrap-servers}) or a pattern: {@code *} is one
 * segment ({@code vireo.server.*.port}), a trailing {@code **} any number of them, dots included
 * ({@code vireo.broker.kafka.producer.**}, for settings passed through to a library, or {@code
 * vireo.client.services.**}, whose next segment is a name the user chooses).
 */
public interface ConfigKeysProvider {
  Set<String> keys();
}
