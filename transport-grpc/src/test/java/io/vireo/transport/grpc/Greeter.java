package io.vireo.transport.grpc;

import io.vireo.RpcService;
import io.vireo.transport.grpc.greeter.HelloReply;
import io.vireo.transport.grpc.greeter.HelloRequest;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** greeter.proto's service as a Vireo handler interface, over the generated messages. */
@RpcService("vireo.samples.greeter.Greeter")
public interface Greeter {
  Mono<HelloReply> sayHello(HelloRequest request);

  Flux<HelloReply> lotsOfReplies(HelloRequest request);

  Mono<HelloReply> lotsOfGreetings(Flux<HelloRequest> requests);

  Flux<HelloReply> bidiHello(Flux<HelloRequest> requests);
}
