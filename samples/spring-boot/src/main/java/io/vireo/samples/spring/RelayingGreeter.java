package io.vireo.samples.spring;

import io.vireo.samples.greeter.proto.Greeter;
import io.vireo.samples.greeter.proto.HelloReply;
import io.vireo.samples.greeter.proto.HelloRequest;
import io.vireo.spring.VireoClient;
import io.vireo.spring.VireoService;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Serves {@link Greeter} by calling the plain-Java greeter: each reply is the greeter's, with
 * {@code Spring relays: } in front, so that a caller sees both services answered.
 */
@Component
@VireoService
public class RelayingGreeter implements Greeter {
  static final String PREFIX = "Spring relays: ";

  private final Greeter greeter;

  public RelayingGreeter(@VireoClient("${samples.spring.greeter:greeter}") Greeter greeter) {
    this.greeter = greeter;
  }

  @Override
  public Mono<HelloReply> sayHello(HelloRequest request) {
    return greeter.sayHello(request).map(RelayingGreeter::relayed);
  }

  @Override
  public Flux<HelloReply> lotsOfReplies(HelloRequest request) {
    return greeter.lotsOfReplies(request).map(RelayingGreeter::relayed);
  }

  @Override
  public Mono<HelloReply> lotsOfGreetings(Flux<HelloRequest> requests) {
    return greeter.lotsOfGreetings(requests).map(RelayingGreeter::relayed);
  }

  @Override
  public Flux<HelloReply> bidiHello(Flux<HelloRequest> requests) {
    return greeter.bidiHello(requests).map(RelayingGreeter::relayed);
  }

  private static HelloReply relayed(HelloReply reply) {
    return reply.toBuilder().setMessage(PREFIX + reply.getMessage()).build();
  }
}
