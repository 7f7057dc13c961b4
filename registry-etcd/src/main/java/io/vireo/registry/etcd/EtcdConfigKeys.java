package io.vireo.registry.etcd;

import io.vireo.config.spi.ConfigKeysProvider;
import java.util.Set;
import java.util.TreeSet;

/** The {@code vireo.*} keys this module reads, so that a misspelt one is warned about at start. */
public final class EtcdConfigKeys implements ConfigKeysProvider {
  private static final Set<String> CLIENT =
      Set.of(
          "endpoints",
          "connection-timeout",
          "user",
          "password",
          "tls.ca-file",
          "tls.cert-file",
          "tls.key-file");

  @Override
  public Set<String> keys() {
    Set<String> keys =
        new TreeSet<>(
            Set.of(
                "vireo.registry.etcd.prefix",
                "vireo.registry.etcd.lease-ttl",
                "vireo.config.etcd.root",
                "vireo.etcd.binary")); // the testing module's EtcdExtension reads VIREO_ETCD_BINARY
    for (String key : CLIENT) {
      keys.add("vireo.registry.etcd." + key);
      keys.add("vireo.config.etcd." + key);
    }
    return keys;
  }
}
