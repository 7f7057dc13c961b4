package io.vireo;

import io.vireo.config.spi.ConfigKeysProvider;
import java.util.Set;

/** The tests' own keys (vireo.yaml has vireo.test.*): known, so only real misspellings warn. */
public final class TestConfigKeys implements ConfigKeysProvider {
  @Override
  public Set<String> keys() {
    return Set.of("vireo.test.**");
  }
}
