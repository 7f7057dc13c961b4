package io.vireo.benchmarks;

import io.vireo.RpcMethod;
import io.vireo.RpcService;
import io.vireo.benchmarks.proto.Payload;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** bench.proto's Echo as a Vireo handler interface, plus a fire-and-forget endpoint (RSocket only). */
@RpcService("vireo.bench.Echo")
public interface Echo {
  Mono<Payload> unary(Payload request);

  Flux<Payload> serverStream(Payload request);

  Mono<Payload> clientStream(Flux<Payload> requests);

  Flux<Payload> bidi(Flux<Payload> requests);

  @RpcMethod("Fire")
  Mono<Void> fire(Payload request);
}
