package io.vireo.registry.zookeeper;

import io.vireo.config.Config;
import io.vireo.config.ConfigSource;
import io.vireo.config.spi.ConfigSourceProvider;

/** Provides {@link ZooKeeperConfigSource} as {@code vireo.config.sources=zookeeper}. */
public final class ZooKeeperConfigSourceProvider implements ConfigSourceProvider {
  /** {@value}. */
  public static final String NAME = "zookeeper";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ConfigSource create(Config config) {
    return ZooKeeperConfigSource.of(config);
  }
}
