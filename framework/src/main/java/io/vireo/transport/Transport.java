package io.vireo.transport;

import io.vireo.registry.ServiceInstance;
import java.net.InetSocketAddress;
import reactor.core.publisher.Mono;

/**
 * Moves frames between processes. {@code memory} (one JVM) is built in; {@code rsocket} and {@code
 * grpc} come in their modules.
 */
public interface Transport {
  /** The name instances register with, such as {@code rsocket}. */
  String name();

  /**
   * Binds {@code address} (port 0: any free port) and feeds every request to {@code dispatcher}.
   */
  Mono<Server> serve(InetSocketAddress address, Dispatcher dispatcher);

  /** Connects to one instance; fails with UNAVAILABLE when it cannot be reached. */
  Mono<Connection> connect(ServiceInstance instance);

  /** Releases what the transport shares between servers and connections. */
  default Mono<Void> close() {
    return Mono.empty();
  }
}
