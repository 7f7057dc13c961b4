package io.vireo.gateway.internal;

import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.security.Principal;
import io.vireo.security.TokenVerifier;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import reactor.core.publisher.Mono;

/**
 * {@code auth.required=true}: a bearer token that the gateway's verifier accepts (401 without or
 * with a bad one), holding one of {@code auth.roles} when given (403). The token passes on to the
 * service unchanged, so that the service can check it again.
 */
final class Authenticate implements Step {
  private final TokenVerifier verifier;
  private final Set<String> roles;

  Authenticate(TokenVerifier verifier, Policy policy) {
    this.verifier = verifier;
    this.roles =
        Arrays.stream(policy.get("auth.roles").orElse("").split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .collect(Collectors.toUnmodifiableSet());
  }

  @Override
  public Mono<Reply> apply(Exchange exchange, Handler next) {
    String header = exchange.header("authorization").orElse("");
    if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()) {
      return Mono.just(
          HttpErrors.reply(
              Status.UNAUTHENTICATED,
              "missing bearer token (expected: Authorization: Bearer <token>)"));
    }
    Mono<Object> checked =
        verifier
            .verify(header.substring(7).trim())
            .<Object>flatMap(
                principal -> {
                  if (!roles.isEmpty() && roles.stream().noneMatch(principal::hasRole)) {
                    return Mono.just(
                        HttpErrors.reply(
                            Status.PERMISSION_DENIED,
                            "needs one of the roles "
                                + new TreeSet<>(roles)
                                + " (has "
                                + new TreeSet<>(principal.roles())
                                + ")"));
                  }
                  return Mono.just(principal);
                })
            .onErrorResume(
                e ->
                    Mono.just(
                        HttpErrors.reply(
                            e instanceof VireoException vireo && isAuthError(vireo)
                                ? e
                                : new VireoException(
                                    Status.UNAUTHENTICATED, "token rejected: " + e.getMessage()))));
    return checked.flatMap(
        result ->
            result instanceof Principal principal
                ? admit(exchange, principal, next)
                : Mono.just((Reply) result));
  }

  private Mono<Reply> admit(Exchange exchange, Principal principal, Handler next) {
    exchange.principal(principal);
    return next.handle(exchange);
  }

  private static boolean isAuthError(VireoException e) {
    return e.status() == Status.UNAUTHENTICATED || e.status() == Status.PERMISSION_DENIED;
  }
}
