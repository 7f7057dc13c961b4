package io.vireo.cli;

import io.vireo.Call;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.cli.test.HelloReply;
import io.vireo.cli.test.HelloRequest;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code slow} never answers, {@code missing} is NOT_FOUND, {@code tenant} answers the x-tenant
 * header.
 */
final class TestGreeter implements Greeter {
  final String tag;
  final ConcurrentLinkedQueue<String> notified = new ConcurrentLinkedQueue<>();

  TestGreeter(String tag) {
    this.tag = tag;
  }

  @Override
  public Mono<HelloReply> sayHello(HelloRequest request) {
    switch (request.getName()) {
      case "slow":
        return Mono.never();
      case "missing":
        return Mono.error(
            VireoException.of(Status.NOT_FOUND, "no user named %s", request.getName()));
      case "tenant":
        return Call.current().map(call -> reply(call.headers().get("x-tenant").orElse("none")));
      case "tag":
        return Mono.just(reply(tag));
      default:
        return Mono.just(
            reply("Hello, " + request.getName() + "!".repeat(Math.max(1, request.getTimes()))));
    }
  }

  @Override
  public Flux<HelloReply> lotsOfReplies(HelloRequest request) {
    return Flux.range(1, 3).map(i -> reply("Hello #" + i + ", " + request.getName()));
  }

  @Override
  public Mono<HelloReply> lotsOfGreetings(Flux<HelloRequest> requests) {
    return requests
        .map(HelloRequest::getName)
        .collect(Collectors.joining(", "))
        .map(names -> reply("Hello, " + names));
  }

  @Override
  public Flux<HelloReply> bidiHello(Flux<HelloRequest> requests) {
    return requests.map(request -> reply("Hi, " + request.getName()));
  }

  @Override
  public Mono<Void> notify(HelloRequest request) {
    return Mono.fromRunnable(() -> notified.add(request.getName()));
  }

  static HelloReply reply(String message) {
    return HelloReply.newBuilder().setMessage(message).build();
  }
}
