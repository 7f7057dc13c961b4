package io.vireo.registry.zookeeper;

import io.vireo.config.Config;
import io.vireo.registry.Registry;
import io.vireo.registry.spi.RegistryProvider;

/** Provides {@link ZooKeeperRegistry} as {@code vireo.registry=zookeeper}. */
public final class ZooKeeperRegistryProvider implements RegistryProvider {
  /** {@value}. */
  public static final String NAME = "zookeeper";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Registry create(Config config) {
    return ZooKeeperRegistry.of(config);
  }
}
