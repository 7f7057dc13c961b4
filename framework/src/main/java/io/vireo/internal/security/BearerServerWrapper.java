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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import reactor.core.publisher.Flux;

/**
 * Verifies the caller's token before the handler runs; puts the {@link Principal} (and the call
 * without its token) in the handler's context. The token is in header {@code header} (by default
 * {@code authorization}), after {@code scheme} and a space (by default {@code Bearer}; none: the
 * whole value is the token, as in {@code token: 101010}).
 */
public final class BearerServerWrapper implements Wrapper {
  private final TokenVerifier verifier;
  private final Map<String, Requirement> endpoints;
  private final String header;
  private final Optional<String> scheme;
  private final String expected;
  private final String kind;

  public BearerServerWrapper(TokenVerifier verifier, Map<String, Requirement> endpoints) {
    this(verifier, endpoints, Headers.AUTHORIZATION, Optional.of(AuthHeaders.BEARER));
  }

  public BearerServerWrapper(
      TokenVerifier verifier,
      Map<String, Requirement> endpoints,
      String header,
      Optional<String> scheme) {
    this.verifier = verifier;
    this.endpoints = Map.copyOf(endpoints);
    this.header = AuthHeaders.name(header);
    this.scheme = scheme;
    this.kind = scheme.map(s -> s.toLowerCase(Locale.ROOT)).orElse(this.header);
    this.expected =
        "header " + this.header + ": " + scheme.map(s -> s + " <token>").orElse("<token>");
  }

  @Override
  public CallFunction server(CallFunction next) {
    return (call, requests) -> {
      Optional<String> value = call.headers().get(header);
      if (value.isEmpty()) {
        return Flux.error(
            VireoException.of(
                Status.UNAUTHENTICATED,
                "missing %s token for %s (expected: %s)",
                kind,
                call.route(),
                expected));
      }
      Optional<String> parsed = AuthHeaders.token(value.get(), scheme);
      if (parsed.isEmpty()) {
        return Flux.error(
            VireoException.of(
                Status.UNAUTHENTICATED,
                "%s header is not a %s token (expected: %s)",
                header,
                kind,
                expected));
      }
      String token = parsed.get();
      Requirement requirement = Requirement.forRoute(endpoints, call.route());
      // the handler sees who called, not the token: it cannot log or forward it by mistake
      Call withoutToken = call.withHeaders(call.headers().without(header));
      return verifier
          .verify(token)
          .onErrorMap(
              e -> !(e instanceof VireoException),
              e ->
                  new VireoException(
                      Status.UNAUTHENTICATED, "token rejected: " + e.getMessage(), e))
          .switchIfEmpty(
              Flux.<Principal>error(new VireoException(Status.UNAUTHENTICATED, "token rejected"))
                  .next())
          .flatMapMany(
              principal -> {
                Optional<String> unmet = requirement.unmetBy(principal);
                if (unmet.isPresent()) {
                  return Flux.error(
                      VireoException.of(
                          Status.PERMISSION_DENIED,
                          "%s: %s %s",
                          call.route(),
                          principal.subject().isEmpty() ? "caller" : principal.subject(),
                          unmet.get()));
                }
                return next.apply(withoutToken, requests)
                    .contextWrite(
                        context ->
                            context.put(Principal.class, principal).put(Call.class, withoutToken));
              });
    };
  }
}
