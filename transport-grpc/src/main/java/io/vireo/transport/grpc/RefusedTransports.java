package io.vireo.transport.grpc;

import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.ServerTransportFilter;
import io.vireo.transport.RefusedConnections;
import io.vireo.transport.RefusedConnections.Reason;
import java.net.SocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * Counts the connections that ended before their HTTP/2 connection was ready (no valid preface and
 * SETTINGS: random bytes, HTTP/1, truncated or oversized first frames) as refused, logged within
 * {@link RefusedConnections}' limits. grpc-java itself logs them only at FINE. A connection that
 * was ready and then broke the protocol gets grpc-java's GOAWAY and is not counted.
 */
final class RefusedTransports extends ServerTransportFilter {
  private static final Attributes.Key<Boolean> READY =
      Attributes.Key.create("vireo.transport-ready");

  private final RefusedConnections refused = RefusedConnections.of(GrpcTransportProvider.NAME);

  @Override
  public Attributes transportReady(Attributes attributes) {
    return attributes.toBuilder().set(READY, Boolean.TRUE).build();
  }

  @Override
  public void transportTerminated(@Nullable Attributes attributes) {
    if (attributes == null || attributes.get(READY) == null) {
      SocketAddress peer =
          attributes == null ? null : attributes.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
      refused.refuse(
          peer, Reason.SETUP_REJECTED, "closed before the HTTP/2 connection preface and SETTINGS");
    }
  }
}
