package io.vireo.security;

import io.vireo.Status;
import io.vireo.VireoException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * Turns a bearer token into the {@link Principal} it stands for, or signals a {@link
 * VireoException} with {@link Status#UNAUTHENTICATED} whose message says what was wrong. Must not
 * block: a verifier that needs I/O (a JWKS download) does it asynchronously.
 *
 * @see JwtVerifier
 */
@FunctionalInterface
public interface TokenVerifier {
  Mono<Principal> verify(String token);

  /**
   * Accepts exactly these tokens (static API keys), each standing for its principal. Tokens are
   * compared in constant time.
   */
  static TokenVerifier tokens(Map<String, Principal> tokens) {
    if (tokens.isEmpty()) {
      throw new IllegalArgumentException("tokens: empty (expected: at least one token)");
    }
    Map<byte[], Principal> byBytes = new LinkedHashMap<>();
    tokens.forEach(
        (token, principal) -> {
          if (token.isBlank()) {
            throw new IllegalArgumentException(
                "token of " + principal.subject() + ": blank (expected: a secret string)");
          }
          byBytes.put(token.getBytes(StandardCharsets.UTF_8), principal);
        });
    return token ->
        Mono.defer(
            () -> {
              byte[] given = token.getBytes(StandardCharsets.UTF_8);
              Principal found = null;
              for (Map.Entry<byte[], Principal> entry : byBytes.entrySet()) {
                // no early exit: the time taken does not tell which token nearly matched
                if (MessageDigest.isEqual(entry.getKey(), given)) {
                  found = entry.getValue();
                }
              }
              return found != null
                  ? Mono.just(found)
                  : Mono.error(new VireoException(Status.UNAUTHENTICATED, "unknown token"));
            });
  }

  /** Tries this verifier, then {@code other} when this one rejects the token as UNAUTHENTICATED. */
  default TokenVerifier or(TokenVerifier other) {
    return token ->
        verify(token)
            .onErrorResume(
                e -> e instanceof VireoException vireo && vireo.status() == Status.UNAUTHENTICATED,
                first ->
                    other
                        .verify(token)
                        .onErrorMap(
                            second ->
                                second instanceof VireoException vireo
                                        && vireo.status() == Status.UNAUTHENTICATED
                                    ? new VireoException(
                                        Status.UNAUTHENTICATED,
                                        first.getMessage() + "; " + second.getMessage())
                                    : second));
  }
}
