package io.vireo.registry.etcd;

import io.vireo.config.Config;
import io.vireo.config.ConfigSource;
import io.vireo.config.spi.ConfigSourceProvider;

/** Provides {@link EtcdConfigSource} as {@code vireo.config.sources=etcd}. */
public final class EtcdConfigSourceProvider implements ConfigSourceProvider {
  /** {@value}. */
  public static final String NAME = "etcd";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ConfigSource create(Config config) {
    return EtcdConfigSource.of(config);
  }
}
