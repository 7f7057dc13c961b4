package io.vireo.transport.grpc;

import io.vireo.config.Config;
import io.vireo.testing.contract.TransportContract;
import io.vireo.transport.Transport;
import java.util.Map;

/**
 * The transport contract over gRPC. The contract bounds, in messages, how far a producer runs ahead
 * of demand; gRPC bounds it in bytes (the HTTP/2 window plus the on-ready threshold), so with the
 * contract's tiny messages the windows here are small enough for that bound to hold.
 */
class GrpcTransportContractTest extends TransportContract {
  @Override
  protected Transport transport() {
    return GrpcTransport.of(
        Config.of(
            Map.of(
                "vireo.transport.max-message-size", Integer.toString(maxMessageSize()),
                "vireo.transport.grpc.flow-control-window", "1024",
                "vireo.transport.grpc.on-ready-threshold", "512",
                "vireo.transport.grpc.prefetch", "16",
                "vireo.transport.grpc.event-loop-threads", "2",
                "vireo.transport.grpc.shutdown-timeout", "1s")));
  }
}
