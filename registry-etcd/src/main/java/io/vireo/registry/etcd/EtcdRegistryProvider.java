package io.vireo.registry.etcd;

import io.vireo.config.Config;
import io.vireo.registry.Registry;
import io.vireo.registry.spi.RegistryProvider;

/** Provides {@link EtcdRegistry} as {@code vireo.registry=etcd}. */
public final class EtcdRegistryProvider implements RegistryProvider {
  /** {@value}. */
  public static final String NAME = "etcd";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Registry create(Config config) {
    return EtcdRegistry.of(config);
  }
}
