package io.vireo.security;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * Who made the call being served, as the {@code auth} wrapper verified it: the token's subject, its
 * roles and scopes, and all its claims.
 *
 * <p>Handlers read it from Reactor's context:
 *
 * <pre>{@code
 * public Mono<Reply> whoAmI(Request request) {
 *   return Principal.current().map(p -> new Reply(p.subject() + " " + p.roles()));
 * }
 * }</pre>
 *
 * @param subject the token's {@code sub} claim (for a static token: the name it is configured
 *     under)
 * @param roles the roles the token grants
 * @param scopes the OAuth scopes the token grants
 * @param claims every claim of the token (empty for static tokens)
 */
public record Principal(
    String subject, Set<String> roles, Set<String> scopes, Map<String, Object> claims) {
  public Principal {
    roles = Set.copyOf(roles);
    scopes = Set.copyOf(scopes);
    claims = Map.copyOf(claims);
  }

  /** A principal with these roles and no scopes or claims. */
  public static Principal of(String subject, String... roles) {
    return new Principal(subject, Set.copyOf(Arrays.asList(roles)), Set.of(), Map.of());
  }

  /**
   * The caller of the call being served; empty outside a call or when no {@code auth} wrapper runs.
   */
  public static Mono<Principal> current() {
    return Mono.deferContextual(context -> Mono.justOrEmpty(from(context)));
  }

  /** The principal in this context, if any. */
  public static Optional<Principal> from(ContextView context) {
    return context.getOrEmpty(Principal.class);
  }

  public boolean hasRole(String role) {
    return roles.contains(role);
  }

  public boolean hasScope(String scope) {
    return scopes.contains(scope);
  }

  /** One claim, if the token has it. */
  public Optional<Object> claim(String name) {
    return Optional.ofNullable(claims.get(name));
  }
}
