package io.vireo.security;

import io.vireo.Headers;
import io.vireo.Route;
import io.vireo.config.Config;
import io.vireo.internal.security.AuthConfig;
import io.vireo.internal.security.AuthHeaders;
import io.vireo.internal.security.BearerClientWrapper;
import io.vireo.internal.security.BearerServerWrapper;
import io.vireo.wrapper.Wrapper;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/**
 * Bearer-token authentication and per-endpoint authorization, as wrappers.
 *
 * <pre>{@code
 * // the server: JWTs from the identity provider; Delete needs the admin role
 * Service.builder("greeter")
 *     .wrap(Auth.server(JwtVerifier.builder().issuer(issuer).jwksUrl(jwks).build())
 *         .requireRoles("Delete", "admin")
 *         .build())
 *     ...
 * // a client: its token on every call, as "authorization: Bearer <token>"
 * Service.builder("caller").wrap(Auth.client(Tokens.of(apiKey))) ...
 * }</pre>
 *
 * Without a token the server answers UNAUTHENTICATED ("missing bearer token"); with a bad one,
 * UNAUTHENTICATED saying what was wrong (expired, bad signature, wrong issuer or audience); without
 * a required role or scope, PERMISSION_DENIED. The handler reads the caller with {@link
 * Principal#current()}. From configuration: {@code vireo.wrappers=auth} with the {@code
 * vireo.server.auth.*} and {@code vireo.client.auth.*} keys (see SECURITY.md).
 */
public final class Auth {
  private Auth() {}

  /** A client wrapper sending {@code token} on every call. */
  public static Wrapper client(String token) {
    return client(Tokens.of(token));
  }

  /**
   * A client wrapper sending the supplied token on every call (a header the call already has wins).
   */
  public static Wrapper client(Supplier<Mono<String>> tokens) {
    return new BearerClientWrapper(tokens, Map.of());
  }

  /**
   * A client wrapper sending the supplied token in {@code header} after {@code scheme} and a space;
   * {@code scheme} {@code "none"} (or empty) sends the bare token, as a client that sends gRPC
   * metadata {@code token: 101010} does.
   */
  public static Wrapper client(Supplier<Mono<String>> tokens, String header, String scheme) {
    return new BearerClientWrapper(
        Optional.of(tokens), Map.of(), header, AuthHeaders.scheme("scheme", scheme));
  }

  /** A server wrapper that requires a token {@code verifier} accepts, on every endpoint. */
  public static ServerBuilder server(TokenVerifier verifier) {
    return new ServerBuilder(verifier);
  }

  /**
   * The wrapper that the {@code vireo.server.auth.*} and {@code vireo.client.auth.*} keys describe;
   * fails when they describe none.
   */
  public static Wrapper fromConfig(Config config) {
    return AuthConfig.wrapper(config);
  }

  /** Builds the server wrapper. */
  public static final class ServerBuilder {
    private final TokenVerifier verifier;
    private final Map<String, Requirement> endpoints = new LinkedHashMap<>();
    private String header = Headers.AUTHORIZATION;
    private String scheme = "Bearer";

    ServerBuilder(TokenVerifier verifier) {
      this.verifier = verifier;
    }

    /** The header that carries the token (default {@code authorization}). */
    public ServerBuilder header(String header) {
      this.header = header;
      return this;
    }

    /**
     * The word before the token (default {@code Bearer}); {@code "none"}: the header's whole value
     * is the token.
     */
    public ServerBuilder scheme(String scheme) {
      AuthHeaders.scheme("scheme", scheme);
      this.scheme = scheme;
      return this;
    }

    /**
     * Callers of {@code endpoint} (a method such as {@code Delete}, or a full route such as {@code
     * pkg.Greeter.Delete}) must hold at least one of these roles.
     */
    public ServerBuilder requireRoles(String endpoint, String... roles) {
      Requirement old = endpoints.getOrDefault(checked(endpoint), Requirement.NONE);
      endpoints.put(endpoint, new Requirement(Set.copyOf(Arrays.asList(roles)), old.scopes()));
      return this;
    }

    /** Callers of {@code endpoint} must hold every one of these scopes. */
    public ServerBuilder requireScopes(String endpoint, String... scopes) {
      Requirement old = endpoints.getOrDefault(checked(endpoint), Requirement.NONE);
      endpoints.put(endpoint, new Requirement(old.roles(), Set.copyOf(Arrays.asList(scopes))));
      return this;
    }

    public Wrapper build() {
      return new BearerServerWrapper(
          verifier, Map.copyOf(endpoints), header, AuthHeaders.scheme("scheme", scheme));
    }

    private static String checked(String endpoint) {
      if (endpoint.isBlank() || endpoint.indexOf('/') >= 0) {
        throw new IllegalArgumentException(
            "endpoint: '"
                + endpoint
                + "' (expected: a method such as SayHello or a route such as pkg.Greeter.SayHello)");
      }
      return endpoint;
    }
  }

  /**
   * What an endpoint asks of its callers: one of {@code roles} (when any are given) and all of
   * {@code scopes}.
   */
  public record Requirement(Set<String> roles, Set<String> scopes) {
    static final Requirement NONE = new Requirement(Set.of(), Set.of());

    public Requirement {
      roles = Set.copyOf(roles);
      scopes = Set.copyOf(scopes);
    }

    /** What the principal lacks, or empty when it may call. */
    public Optional<String> unmetBy(Principal principal) {
      if (!roles.isEmpty() && roles.stream().noneMatch(principal::hasRole)) {
        return Optional.of(
            "needs one of the roles "
                + new TreeSet<>(roles)
                + " (has "
                + new TreeSet<>(principal.roles())
                + ")");
      }
      if (!principal.scopes().containsAll(scopes)) {
        return Optional.of(
            "needs the scopes "
                + new TreeSet<>(scopes)
                + " (has "
                + new TreeSet<>(principal.scopes())
                + ")");
      }
      return Optional.empty();
    }

    /** The requirement for {@code route} in this map: by full route first, then by method. */
    public static Requirement forRoute(Map<String, Requirement> endpoints, Route route) {
      Requirement byRoute = endpoints.get(route.fullName());
      return byRoute != null ? byRoute : endpoints.getOrDefault(route.method(), NONE);
    }
  }
}
