package io.vireo.transport;

import java.net.InetSocketAddress;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/** A bound server. {@link #dispose()} stops accepting and closes its connections. */
public interface Server extends Disposable {
  /** The address it listens on, with the real port when it was asked to bind port 0. */
  InetSocketAddress address();

  /** Completes when the server is closed. */
  Mono<Void> onClose();
}
