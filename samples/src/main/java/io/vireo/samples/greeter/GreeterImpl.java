package io.vireo.samples.greeter;

import io.vireo.samples.greeter.proto.Greeter;
import io.vireo.samples.greeter.proto.HelloReply;
import io.vireo.samples.greeter.proto.HelloRequest;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Greets; each reply ends with {@code (from <instance>)}, the instance that answered, so callers
 * see the balancing and the failover.
 */
public final class GreeterImpl implements Greeter {
  private final Supplier<String> instance;

  public GreeterImpl(String instance) {
    this(() -> instance);
  }

  /** The instance's name is asked for at each call: a service's id is known once it started. */
  public GreeterImpl(Supplier<String> instance) {
    this.instance = instance;
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
    return requests
        .map(HelloRequest::getName)
        .collect(Collectors.joining(", "))
        .map(names -> reply("Hello, " + names));
  }

  @Override
  public Flux<HelloReply> bidiHello(Flux<HelloRequest> requests) {
    return requests.map(request -> reply("Hi, " + request.getName()));
  }

  private HelloReply reply(String message) {
    return HelloReply.newBuilder().setMessage(message + " (from " + instance.get() + ")").build();
  }

  /** Which instance this is. */
  public String instance() {
    return instance.get();
  }
}
