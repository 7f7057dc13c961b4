package io.vireo.security;

import io.vireo.Status;
import io.vireo.VireoException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Token suppliers for {@link Auth#client(Supplier)}: where a client's bearer token comes from.
 *
 * <pre>{@code
 * Service.builder("caller").wrap(Auth.client(Tokens.cached(oauth::fetchToken, Duration.ofMinutes(5))))
 * }</pre>
 */
public final class Tokens {
  private Tokens() {}

  /** Always this token. */
  public static Supplier<Mono<String>> of(String token) {
    if (token.isBlank()) {
      throw new IllegalArgumentException("token: blank (expected: a token)");
    }
    Mono<String> just = Mono.just(token.strip());
    return () -> just;
  }

  /**
   * The token in this file (trimmed), read off the event loop and read again after {@code refresh}:
   * for tokens that an agent rotates on disk (Kubernetes projected tokens).
   */
  public static Supplier<Mono<String>> file(Path file, Duration refresh) {
    return cached(
        () ->
            Mono.fromCallable(
                    () -> {
                      String token = Files.readString(file).strip();
                      if (token.isEmpty()) {
                        throw new VireoException(
                            Status.UNAUTHENTICATED, "token file " + file + " is empty");
                      }
                      return token;
                    })
                .subscribeOn(Schedulers.boundedElastic()),
        refresh);
  }

  /** The supplier's token, kept for {@code ttl}; a failure is not kept. */
  public static Supplier<Mono<String>> cached(Supplier<Mono<String>> supplier, Duration ttl) {
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl: " + ttl + " (expected: > 0)");
    }
    Mono<String> cached =
        Mono.defer(supplier).cache(token -> ttl, error -> Duration.ZERO, () -> Duration.ZERO);
    return () -> cached;
  }
}
