package io.vireo.gateway;

import io.vireo.Idempotent;
import io.vireo.RpcService;
import io.vireo.gateway.test.Book;
import io.vireo.gateway.test.CountRequest;
import io.vireo.gateway.test.CreateBookRequest;
import io.vireo.gateway.test.GetBookRequest;
import io.vireo.gateway.test.Number;
import io.vireo.gateway.test.Ping;
import io.vireo.gateway.test.Sum;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The test service behind the gateway: library.proto's Library as a Vireo handler interface. */
@RpcService("vireo.gateway.test.Library")
public interface Library {
  @Idempotent
  Mono<Book> getBook(GetBookRequest request);

  Mono<Book> createBook(CreateBookRequest request);

  Flux<Number> count(CountRequest request);

  Mono<Sum> add(Flux<Number> numbers);

  Flux<Ping> echo(Flux<Ping> pings);

  Mono<Ping> fail(Ping ping);
}
