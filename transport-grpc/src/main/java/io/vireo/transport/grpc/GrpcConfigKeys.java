package io.vireo.transport.grpc;

import io.vireo.config.spi.ConfigKeysProvider;
import java.util.Set;

/** The {@code vireo.*} keys this module reads, so that a misspelt one is warned about at start. */
public final class GrpcConfigKeys implements ConfigKeysProvider {
  @Override
  public Set<String> keys() {
    return Set.of(
        "vireo.transport.grpc.connect-timeout",
        "vireo.transport.grpc.event-loop-threads",
        "vireo.transport.grpc.flow-control-window",
        "vireo.transport.grpc.on-ready-threshold",
        "vireo.transport.grpc.prefetch",
        "vireo.transport.grpc.reflection",
        "vireo.transport.grpc.shutdown-timeout",
        "vireo.server.grpc.port");
  }
}
