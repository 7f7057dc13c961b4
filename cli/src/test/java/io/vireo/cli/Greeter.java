package io.vireo.cli;

import io.vireo.RpcService;
import io.vireo.cli.test.HelloReply;
import io.vireo.cli.test.HelloRequest;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** greeter.proto's service as a Vireo handler interface. */
@RpcService("vireo.cli.test.Greeter")
public interface Greeter {
  Mono<HelloReply> sayHello(HelloRequest request);

  Flux<HelloReply> lotsOfReplies(HelloRequest request);

  Mono<HelloReply> lotsOfGreetings(Flux<HelloRequest> requests);

  Flux<HelloReply> bidiHello(Flux<HelloRequest> requests);

  /** Fire-and-forget: the proto says it returns Empty. */
  Mono<Void> notify(HelloRequest request);
}
