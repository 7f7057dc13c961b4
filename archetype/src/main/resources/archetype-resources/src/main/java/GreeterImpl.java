package ${package};

import ${package}.api.Greeter;
import ${package}.api.HelloReply;
import ${package}.api.HelloRequest;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The handler: implements the interface generated from greeter.proto. */
public final class GreeterImpl implements Greeter {
  private static HelloReply reply(String message) {
    return HelloReply.newBuilder().setMessage(message).build();
  }

  @Override
  public Mono<HelloReply> sayHello(HelloRequest request) {
    return Mono.just(reply("Hello, " + request.getName()));
  }

  @Override
  public Flux<HelloReply> lotsOfReplies(HelloRequest request) {
    return Flux.range(1, 3).map(i -> reply("Hello #" + i + ", " + request.getName()));
  }

  @Override
  public Mono<HelloReply> lotsOfGreetings(Flux<HelloRequest> requests) {
    return requests.map(HelloRequest::getName).collectList().map(names -> reply("Hello, " + String.join(", ", names)));
  }

  @Override
  public Flux<HelloReply> bidiHello(Flux<HelloRequest> requests) {
    return requests.map(request -> reply("Hi, " + request.getName()));
  }
}
