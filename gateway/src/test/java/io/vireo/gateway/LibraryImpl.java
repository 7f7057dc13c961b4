package io.vireo.gateway;

import io.vireo.Call;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.gateway.test.Book;
import io.vireo.gateway.test.CountRequest;
import io.vireo.gateway.test.CreateBookRequest;
import io.vireo.gateway.test.GetBookRequest;
import io.vireo.gateway.test.Number;
import io.vireo.gateway.test.Ping;
import io.vireo.gateway.test.Sum;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The test library: echoes what it got, counts what it streams out. */
final class LibraryImpl implements Library {
  final String name;
  final AtomicLong produced = new AtomicLong();

  LibraryImpl(String name) {
    this.name = name;
  }

  @Override
  public Mono<Book> getBook(GetBookRequest request) {
    return Call.current()
        .map(call -> call.headers().get("x-tenant").orElse("-"))
        .defaultIfEmpty("-")
        .map(
            tenant ->
                Book.newBuilder()
                    .setName("shelves/" + request.getShelf() + "/books/" + request.getBook())
                    .setTitle(
                        request.getView() + "/" + request.getLimit() + "/" + tenant + "/" + name)
                    .setPages(request.getLimit())
                    .build());
  }

  @Override
  public Mono<Book> createBook(CreateBookRequest request) {
    return Mono.just(
        request.getBook().toBuilder()
            .setName(request.getShelf() + "/" + request.getBook().getName())
            .build());
  }

  @Override
  public Flux<Number> count(CountRequest request) {
    return Flux.range(1, request.getCount())
        .map(i -> Number.newBuilder().setValue(i).setText(request.getPrefix()).build())
        .doOnNext(n -> produced.incrementAndGet());
  }

  @Override
  public Mono<Sum> add(Flux<Number> numbers) {
    return numbers.reduce(
        Sum.getDefaultInstance(),
        (sum, n) ->
            Sum.newBuilder()
                .setTotal(sum.getTotal() + n.getValue())
                .setCount(sum.getCount() + 1)
                .build());
  }

  @Override
  public Flux<Ping> echo(Flux<Ping> pings) {
    return pings.map(p -> p.toBuilder().setText("echo " + p.getText()).build());
  }

  @Override
  public Mono<Ping> fail(Ping ping) {
    if (ping.getStatus().equals("SLOW")) {
      return Mono.never();
    }
    if (ping.getStatus().isEmpty()) {
      return Mono.just(ping);
    }
    return Mono.error(
        new VireoException(Status.valueOf(ping.getStatus()), "failed as asked: " + ping.getText()));
  }
}
