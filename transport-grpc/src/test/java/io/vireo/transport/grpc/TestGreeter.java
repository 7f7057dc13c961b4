package io.vireo.transport.grpc;

import io.vireo.Call;
import io.vireo.Headers;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.transport.grpc.greeter.HelloReply;
import io.vireo.transport.grpc.greeter.HelloRequest;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A greeter with names that misbehave: {@code missing} is NOT_FOUND, {@code boom} throws, {@code
 * slow} never answers (and counts its cancellation), {@code whoami} answers the caller's
 * authorization header and whether a deadline arrived.
 */
final class TestGreeter implements Greeter {
  final AtomicInteger cancelled = new AtomicInteger();

  @Override
  public Mono<HelloReply> sayHello(HelloRequest request) {
    switch (request.getName()) {
      case "missing":
        return Mono.error(
            VireoException.of(Status.NOT_FOUND, "no user named %s", request.getName()));
      case "boom":
        throw new IllegalStateException("the handler broke");
      case "slow":
        return Mono.<HelloReply>never().doOnCancel(cancelled::incrementAndGet);
      case "whoami":
        return Call.current()
            .map(
                call ->
                    reply(
                        call.headers().get(Headers.AUTHORIZATION).orElse("nobody")
                            + " tenant="
                            + call.headers().get("x-tenant").orElse("none")
                            + " deadline="
                            + call.timeoutIfSet().isPresent()));
      default:
        return Mono.just(reply("Hello, " + request.getName()));
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

  static HelloReply reply(String message) {
    return HelloReply.newBuilder().setMessage(message).build();
  }

  static HelloRequest request(String name) {
    return HelloRequest.newBuilder().setName(name).build();
  }
}
