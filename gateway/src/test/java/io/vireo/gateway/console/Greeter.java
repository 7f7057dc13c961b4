package io.vireo.gateway.console;

import io.vireo.RpcService;
import io.vireo.gateway.console.test.HelloReply;
import io.vireo.gateway.console.test.HelloRequest;
import java.time.Duration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * greeter.proto's Greeter as a Vireo handler: a greeting, and {@code times} of them 300 ms apart.
 */
@RpcService("vireo.gateway.console.test.Greeter")
public interface Greeter {
  Mono<HelloReply> sayHello(HelloRequest request);

  Flux<HelloReply> lotsOfReplies(HelloRequest request);

  /** The implementation the tests run. */
  final class Impl implements Greeter {
    /** When set, {@code LotsOfReplies} for the name "controlled" sends what the test puts here. */
    volatile Sinks.Many<HelloReply> controlled;

    @Override
    public Mono<HelloReply> sayHello(HelloRequest request) {
      return Mono.just(
          HelloReply.newBuilder().setMessage("Hello, " + request.getName() + "!").build());
    }

    @Override
    public Flux<HelloReply> lotsOfReplies(HelloRequest request) {
      if (request.getName().equals("controlled") && controlled != null) {
        return controlled.asFlux();
      }
      return Flux.interval(Duration.ofMillis(300))
          .take(Math.max(1, Math.min(request.getTimes(), 20)))
          .map(
              i ->
                  HelloReply.newBuilder()
                      .setMessage("Hello #" + (i + 1) + ", " + request.getName())
                      .build());
    }
  }
}
