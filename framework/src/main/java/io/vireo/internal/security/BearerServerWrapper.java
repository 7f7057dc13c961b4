package io.vireo.internal.security;

import io.vireo.Call;
import io.vireo.Headers;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.security.Auth.Requirement;
import io.vireo.security.Principal;
import io.vireo.security.TokenVerifier;
import io.vireo.wrapper.CallFunction;
import io.vireo.wrapper.Wrapper;
import java.util.Map;
import java.util.Optional;
import reactor.core.publisher.Flux;

/**
 * Verifies the caller's bearer token before the handler runs; puts the {@link Principal} (and
 * the call without its token) in the handler's context.
 */
public final class BearerServerWrapper implements Wrapper {
  private static final String BEARER = "bearer ";

  private final TokenVerifier verifier;
  private final Map<String, Requirement> endpoints;

  public BearerServerWrapper(TokenVerifier verifier, Map<String, Requirement> endpoints) {
    this.verifier = verifier;
    this.endpoints = Map.copyOf(endpoints);
  }

  @Override
  public CallFunction server(CallFunction next) {
    return (call, requests) -> {
      Optional<String> header = call.headers().get(Headers.AUTHORIZATION);
      if (header.isEmpty()) {
        return Flux.error(VireoException.of(Status.UNAUTHENTICATED,
            "missing bearer token for %s (expected: header authorization: Bearer <token>)", call.route()));
      }
      String value = header.get();
      if (value.length() <= BEARER.length() || !value.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
        return Flux.error(VireoException.of(Status.UNAUTHENTICATED,
            "authorization header is not a bearer token (expected: Bearer <token>)"));
      }
      String token = value.substring(BEARER.length()).strip();
      Requirement requirement = Requirement.forRoute(endpoints, call.route());
      // the handler sees who called, not the token: it cannot log or forward it by mistake
      Call withoutToken = call.withHeaders(call.headers().without(Headers.AUTHORIZATION));
      return verifier.verify(token)
          .onErrorMap(e -> !(e instanceof VireoException), e -> new VireoException(Status.UNAUTHENTICATED,
              "token rejected: " + e.getMessage(), e))
          .switchIfEmpty(Flux.<Principal>error(new VireoException(Status.UNAUTHENTICATED, "token rejected")).next())
          .flatMapMany(principal -> {
            Optional<String> unmet = requirement.unmetBy(principal);
            if (unmet.isPresent()) {
              return Flux.error(VireoException.of(Status.PERMISSION_DENIED, "%s: %s %s",
                  call.route(), principal.subject().isEmpty() ? "caller" : principal.subject(), unmet.get()));
            }
            return next.apply(withoutToken, requests)
                .contextWrite(context -> context.put(Principal.class, principal).put(Call.class, withoutToken));
          });
    };
  }
}
