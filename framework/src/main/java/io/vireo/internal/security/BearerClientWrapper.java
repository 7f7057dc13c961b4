package io.vireo.internal.security;

import io.vireo.Headers;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.wrapper.CallFunction;
import io.vireo.wrapper.Wrapper;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * Puts {@code authorization: Bearer <token>} on outgoing calls (or another header and scheme, or
 * the bare token): a per-service token, else the default one.
 */
public final class BearerClientWrapper implements Wrapper {
  private final Optional<Supplier<Mono<String>>> tokens;
  private final Map<String, Supplier<Mono<String>>> perService;
  private final String header;
  private final Optional<String> scheme;

  public BearerClientWrapper(
      Supplier<Mono<String>> tokens, Map<String, Supplier<Mono<String>>> perService) {
    this(Optional.of(tokens), perService, Headers.AUTHORIZATION, Optional.of(AuthHeaders.BEARER));
  }

  public BearerClientWrapper(
      Optional<Supplier<Mono<String>>> tokens,
      Map<String, Supplier<Mono<String>>> perService,
      String header,
      Optional<String> scheme) {
    this.tokens = tokens;
    this.perService = Map.copyOf(perService);
    this.header = AuthHeaders.name(header);
    this.scheme = scheme;
  }

  @Override
  public CallFunction client(CallFunction next) {
    return (call, requests) -> {
      if (call.headers().get(header).isPresent()) {
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
          .switchIfEmpty(
              Mono.error(
                  () ->
                      new VireoException(
                          Status.UNAUTHENTICATED,
                          "no token for the call to "
                              + call.service()
                              + " (the token supplier gave none)")))
          .flatMapMany(
              token ->
                  next.apply(
                      call.withHeader(header, scheme.map(s -> s + " " + token).orElse(token)),
                      requests));
    };
  }
}
