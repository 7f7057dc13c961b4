package io.vireo.internal.security;

import io.vireo.Headers;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.wrapper.CallFunction;
import io.vireo.wrapper.Wrapper;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Puts {@code authorization: Bearer <token>} on outgoing calls: a per-service token, else the default one. */
public final class BearerClientWrapper implements Wrapper {
  private final Optional<Supplier<Mono<String>>> tokens;
  private final Map<String, Supplier<Mono<String>>> perService;

  public BearerClientWrapper(Supplier<Mono<String>> tokens, Map<String, Supplier<Mono<String>>> perService) {
    this(Optional.of(tokens), perService);
  }

  BearerClientWrapper(Optional<Supplier<Mono<String>>> tokens, Map<String, Supplier<Mono<String>>> perService) {
    this.tokens = tokens;
    this.perService = Map.copyOf(perService);
  }

  @Override
  public CallFunction client(CallFunction next) {
    return (call, requests) -> {
      if (call.headers().get(Headers.AUTHORIZATION).isPresent()) {
        return next.apply(call, requests);
      }
      Supplier<Mono<String>> supplier = perService.get(call.service());
      if (supplier == null) {
        if (tokens.isEmpty()) {
          return next.apply(call, requests);
        }
        supplier = tokens.get();
      }
      return Mono.defer(supplier)
          .switchIfEmpty(Mono.error(() -> new VireoException(Status.UNAUTHENTICATED,
              "no bearer token for the call to " + call.service() + " (the token supplier gave none)")))
          .flatMapMany(token -> next.apply(call.withHeader(Headers.AUTHORIZATION, "Bearer " + token), requests));
    };
  }
}
