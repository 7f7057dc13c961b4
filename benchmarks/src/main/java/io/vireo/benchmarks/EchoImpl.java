package io.vireo.benchmarks;

import io.vireo.benchmarks.proto.Payload;
import java.util.concurrent.atomic.LongAdder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The Vireo handler: does what the raw servers do, nothing more. */
final class EchoImpl implements FireAndForgetEcho {
  private final LongAdder fired = new LongAdder();

  @Override
  public Mono<Payload> unary(Payload request) {
    return Mono.just(
        request.getCount() == Payloads.FIRE_COUNT_QUERY ? Payloads.fireCount(fired) : request);
  }

  @Override
  public Flux<Payload> serverStream(Payload request) {
    return Flux.range(0, (int) request.getCount()).map(i -> Payloads.streamItem(request, i));
  }

  @Override
  public Mono<Payload> clientStream(Flux<Payload> requests) {
    return requests.count().map(n -> Payloads.request(n));
  }

  @Override
  public Flux<Payload> bidi(Flux<Payload> requests) {
    return requests;
  }

  @Override
  public Mono<Void> fire(Payload request) {
    fired.increment();
    return Mono.empty();
  }
}
