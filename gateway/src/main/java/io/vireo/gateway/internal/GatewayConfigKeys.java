package io.vireo.gateway.internal;

import io.vireo.config.spi.ConfigKeysProvider;
import java.util.HashSet;
import java.util.Set;

/** The {@code vireo.gateway.*} keys, so that a misspelt one is warned about at start. */
public final class GatewayConfigKeys implements ConfigKeysProvider {
  /** Routes in list form are {@code routes[0]} ... ; this many are known to the check. */
  private static final int LISTED_ROUTES = 100;

  @Override
  public Set<String> keys() {
    Set<String> keys =
        new HashSet<>(
            Set.of(
                "vireo.gateway.port",
                "vireo.gateway.host",
                "vireo.gateway.advertise-host",
                "vireo.gateway.protocols",
                "vireo.gateway.idle-timeout",
                "vireo.gateway.event-loops",
                "vireo.gateway.admin-path",
                "vireo.gateway.tls.cert-chain",
                "vireo.gateway.tls.private-key",
                "vireo.gateway.websocket.max-frame-size",
                "vireo.gateway.upstream.max-connections",
                "vireo.gateway.upstream.response-timeout",
                "vireo.gateway.discovery.enabled",
                "vireo.gateway.discovery.refresh",
                "vireo.gateway.services.**",
                "vireo.gateway.routes.**"));
    for (String filter : Policy.FILTER_KEYS) {
      keys.add("vireo.gateway." + filter);
      keys.add("vireo.gateway." + filter + ".**");
    }
    for (int i = 0; i < LISTED_ROUTES; i++) {
      keys.add("vireo.gateway.routes[" + i + "].**");
    }
    return keys;
  }
}
