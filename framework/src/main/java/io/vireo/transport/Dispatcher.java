package io.vireo.transport;

import io.vireo.CallKind;
import io.vireo.Route;
import java.util.Map;
import java.util.Set;

/**
 * The server side of the framework, as a transport sees it: the routes it serves and the frames it
 * answers. An unknown route is answered with UNIMPLEMENTED.
 */
public interface Dispatcher extends FrameHandler {
  /** Every route served, with its kind (gRPC registers methods by kind). */
  Map<Route, CallKind> routes();

  /** The largest request payload accepted, in bytes; larger ones are RESOURCE_EXHAUSTED. */
  int maxMessageSize();

  /**
   * The request and response classes of the routes served, so that a transport can describe them
   * (gRPC server reflection reads the protobuf descriptors of generated classes).
   */
  default Set<Class<?>> messageTypes() {
    return Set.of();
  }
}
