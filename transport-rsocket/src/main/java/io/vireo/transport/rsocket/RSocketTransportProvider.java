package io.vireo.transport.rsocket;

import io.vireo.config.Config;
import io.vireo.transport.Transport;
import io.vireo.transport.spi.TransportProvider;

/**
 * Provides the {@code rsocket} transport ({@code vireo.transport=rsocket}). Loads no rsocket-java
 * or Netty class before {@link #create}.
 */
public final class RSocketTransportProvider implements TransportProvider {
  @Override
  public String name() {
    return "rsocket";
  }

  @Override
  public Transport create(Config config) {
    return RSocketTransport.of(config);
  }
}
