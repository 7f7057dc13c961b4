package io.vireo.registry.zookeeper;

import io.vireo.config.spi.ConfigKeysProvider;
import java.util.Set;

/** The {@code vireo.*} keys this module reads, so that a misspelt one is warned about at start. */
public final class ZooKeeperConfigKeys implements ConfigKeysProvider {
  @Override
  public Set<String> keys() {
    return Set.of(
        "vireo.registry.zookeeper.connect",
        "vireo.registry.zookeeper.session-timeout",
        "vireo.registry.zookeeper.connection-timeout",
        "vireo.registry.zookeeper.retry",
        "vireo.registry.zookeeper.auth.digest",
        "vireo.registry.zookeeper.base-path",
        "vireo.config.zookeeper.connect",
        "vireo.config.zookeeper.session-timeout",
        "vireo.config.zookeeper.connection-timeout",
        "vireo.config.zookeeper.retry",
        "vireo.config.zookeeper.auth.digest",
        "vireo.config.zookeeper.root");
  }
}
