package io.vireo.spring;

import com.google.protobuf.StringValue;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Echoes, prefixed with the name of the service that answered. */
@VireoService
public class EchoImpl implements Echo {
  private final String who;

  public EchoImpl(String who) {
    this.who = who;
  }

  @Override
  public Mono<StringValue> echo(StringValue request) {
    return Mono.just(StringValue.of(who + ": " + request.getValue()));
  }

  @Override
  public Flux<StringValue> repeat(StringValue request) {
    return Flux.range(1, 3).map(i -> StringValue.of(who + ": " + request.getValue() + " #" + i));
  }
}
