package io.vireo.transport.grpc;

import io.vireo.config.Config;
import io.vireo.transport.Transport;
import io.vireo.transport.spi.TransportProvider;

/** {@code vireo.transport=grpc}. Loads no gRPC or Netty class until {@link #create}. */
public final class GrpcTransportProvider implements TransportProvider {
  /** The name instances served by this transport register with. */
  public static final String NAME = "grpc";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Transport create(Config config) {
    return GrpcTransport.of(config);
  }
}
