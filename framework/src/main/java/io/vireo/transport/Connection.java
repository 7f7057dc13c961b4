package io.vireo.transport;

import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * A client's connection to one remote instance, multiplexing any number of calls. A call on a
 * closed connection fails with UNAVAILABLE.
 */
public interface Connection extends FrameHandler, Disposable {
  /** Completes when the connection is closed, by either side. */
  Mono<Void> onClose();
}
