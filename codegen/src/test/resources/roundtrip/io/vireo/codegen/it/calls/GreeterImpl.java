package io.vireo.codegen.it.calls;

import com.google.protobuf.Empty;
import io.vireo.codegen.it.common.Common.Name;
import io.vireo.codegen.it.common.Common.Old;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Implements the generated interfaces; compiled with -Xlint:all -Werror like them. */
public final class GreeterImpl implements Greeter, Ticker {
  private static HelloReply reply(String text) {
    return HelloReply.newBuilder().setMessage(text).build();
  }

  @Override
  public Mono<HelloReply> sayHello(HelloRequest request) {
    return Mono.just(reply("Hello, " + request.getName()));
  }

  @Override
  public Flux<HelloReply> lotsOfReplies(HelloRequest request) {
    return Flux.range(1, request.hasTimes() ? request.getTimes() : 3).map(i -> reply("Hello #" + i + ", " + request.getName()));
  }

  @Override
  public Mono<HelloReply> lotsOfGreetings(Flux<HelloRequest> requests) {
    return requests.map(HelloRequest::getName).collectList().map(names -> reply("Hello, " + String.join(", ", names)));
  }

  @Override
  public Flux<HelloReply> bidiHello(Flux<HelloRequest> requests) {
    return requests.map(r -> reply("Hi, " + r.getName()));
  }

  @Override
  public Mono<Name> join(Name.Pair request) {
    return Mono.just(Name.newBuilder().setValue(request.getFirst() + " " + request.getSecond()).build());
  }

  @Deprecated
  @Override
  public Mono<HelloReply> hello(HelloRequest request) {
    return sayHello(request);
  }

  @SuppressWarnings("deprecation")
  @Override
  public Mono<Outer.Inner> legacy(Old request) {
    return Mono.just(Outer.Inner.newBuilder().setText("old " + request.getValue()).build());
  }

  @Override
  public Mono<HelloReply> import_(HelloRequest request) {
    return Mono.just(reply("imported " + request.getName()));
  }

  @Override
  public Flux<Tick> ticks(Empty request) {
    return Flux.range(1, 3).map(i -> Tick.newBuilder().setN(i).build());
  }

  @Override
  public Mono<Empty> reset(Empty request) {
    return Mono.just(Empty.getDefaultInstance());
  }
}
