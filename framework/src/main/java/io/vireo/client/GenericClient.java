package io.vireo.client;

import io.vireo.Route;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Calls any endpoint of one service with protobuf-encoded payloads, through the same client
 * pipeline as typed proxies: registry watch, filters, selector, connection pool, client wrappers,
 * deadline, retries.
 *
 * <p>Payloads travel with the proto codec's content type whatever {@code vireo.codec} is. Per-call
 * options go in Reactor's context as for proxies ({@link io.vireo.CallOptions#timeout}, {@link
 * io.vireo.CallOptions#header}, {@link io.vireo.CallOptions#instance}, {@link
 * io.vireo.CallOptions#filter}); a generic call is retried on UNAVAILABLE only when declared {@link
 * io.vireo.CallOptions#idempotent}. Errors are {@link io.vireo.VireoException}s with their status.
 *
 * <pre>{@code
 * GenericClient greeter = service.genericClient("greeter");
 * Route sayHello = Route.of("vireo.samples.greeter.Greeter", "SayHello");
 * byte[] reply = greeter.unary(sayHello, request.toByteArray())
 *     .contextWrite(CallOptions.timeout(Duration.ofSeconds(1)))
 *     .block();
 * }</pre>
 */
public interface GenericClient {
  /** The service called, by its name in the registry. */
  String service();

  /** A request-response call. */
  Mono<byte[]> unary(Route route, byte[] request);

  /** A call without answer: completes when the request is handed to the transport. */
  Mono<Void> fireAndForget(Route route, byte[] request);

  /** One request, a stream of responses. */
  Flux<byte[]> serverStream(Route route, byte[] request);

  /** A stream of requests, one response. */
  Mono<byte[]> clientStream(Route route, Flux<byte[]> requests);

  /** Streams both ways. */
  Flux<byte[]> bidiStream(Route route, Flux<byte[]> requests);
}
