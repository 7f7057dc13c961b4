package io.vireo.samples;

import io.vireo.config.spi.ConfigKeysProvider;
import java.util.Set;

/**
 * The samples' own keys ({@code vireo.samples.*}) and {@code VIREO_LOG_LEVEL}, which their {@code
 * logback.xml} reads: known, so that a service warns only about keys nobody reads.
 */
public final class SamplesConfigKeys implements ConfigKeysProvider {
  @Override
  public Set<String> keys() {
    return Set.of("vireo.samples.**", "vireo.log-level");
  }
}
