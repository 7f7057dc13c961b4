package io.vireo.samples.greeter;

import io.vireo.Idempotent;
import io.vireo.RpcService;
import io.vireo.samples.greeter.proto.HelloReply;
import io.vireo.samples.greeter.proto.HelloRequest;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The greeter of greeter.proto, as a Vireo handler interface. */
@RpcService("vireo.samples.greeter.Greeter")
public interface Greeter {
  @Idempotent
  Mono<HelloReply> sayHello(HelloRequest request);

  Flux<HelloReply> lotsOfReplies(HelloRequest request);

  Mono<HelloReply> lotsOfGreetings(Flux<HelloRequest> requests);

  Flux<HelloReply> bidiHello(Flux<HelloRequest> requests);
}
