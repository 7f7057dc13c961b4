package io.vireo.transport.rsocket;

import io.vireo.config.spi.ConfigKeysProvider;
import java.util.Set;

/** The {@code vireo.*} keys this module reads, so that a misspelt one is warned about at start. */
public final class RSocketConfigKeys implements ConfigKeysProvider {
  @Override
  public Set<String> keys() {
    return Set.of(
        "vireo.transport.rsocket.keepalive-interval",
        "vireo.transport.rsocket.keepalive-max-lifetime",
        "vireo.transport.rsocket.frame-timeout",
        RSocketTransport.CONNECTION_PER_EVENT_LOOP_KEY,
        RSocketTransport.FLUSH_EVERY_KEY,
        "vireo.server.rsocket.port");
  }
}
