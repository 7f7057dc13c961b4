package io.vireo.transport;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The four interaction models plus fire-and-forget, on frames. A client {@link Connection} offers
 * them; a server feeds them to a {@link Dispatcher}.
 *
 * <p>Errors are {@link io.vireo.VireoException} signals, whose status crosses the wire. Demand
 * crosses the wire too: the responses of a stream are produced no faster than the subscriber
 * requests them (within a bounded prefetch), and so are a channel's requests.
 */
public interface FrameHandler {
  Mono<byte[]> requestResponse(Frame request);

  Mono<Void> fireAndForget(Frame request);

  Flux<byte[]> requestStream(Frame request);

  /** {@code head} names the route and carries the headers; {@code requests} are the messages. */
  Flux<byte[]> requestChannel(Frame head, Flux<byte[]> requests);
}
