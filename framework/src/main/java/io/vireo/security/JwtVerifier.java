package io.vireo.security;

import io.vireo.internal.security.JwksSource;
import io.vireo.internal.security.JwtTokenVerifier;
import java.net.URI;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Verifies signed JWTs (JWS): signature by a public key, a shared secret or a JSON Web Key Set,
 * then expiry and not-before (with clock skew), issuer and audience. Roles come from the {@code
 * roles} claim (or {@link Builder#rolesClaim}), scopes from {@code scope} or {@code scp}.
 *
 * <pre>{@code
 * TokenVerifier verifier = JwtVerifier.builder()
 *     .issuer("https://login.example.com/")
 *     .audience("greeter")
 *     .jwksUrl(URI.create("https://login.example.com/.well-known/jwks.json"))
 *     .build();
 * Service.builder("greeter").wrap(Auth.server(verifier)) ...
 * }</pre>
 *
 * A JWKS URL is fetched asynchronously (never on an event loop), cached for {@link
 * Builder#jwksRefresh}, and fetched again early when a token names a key id it does not hold (at
 * most once per {@link Builder#jwksMinRefetch}, default {@link #MIN_JWKS_REFETCH}).
 */
public final class JwtVerifier {
  /** {@code vireo.server.auth.jwt.clock-skew}. */
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);

  /** {@code vireo.server.auth.jwt.jwks-refresh}. */
  public static final Duration DEFAULT_JWKS_REFRESH = Duration.ofMinutes(10);

  /**
   * {@code vireo.server.auth.jwt.jwks-min-refetch}: the least time between two early downloads of a
   * JWKS URL.
   */
  public static final Duration MIN_JWKS_REFETCH = Duration.ofSeconds(10);

  /** {@code vireo.server.auth.jwt.roles-claim}. */
  public static final String DEFAULT_ROLES_CLAIM = "roles";

  private JwtVerifier() {}

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a JWT {@link TokenVerifier}; exactly one kind of key source must be given. */
  public static final class Builder {
    private Optional<String> issuer = Optional.empty();
    private Optional<String> audience = Optional.empty();
    private Duration clockSkew = DEFAULT_CLOCK_SKEW;
    private Duration jwksRefresh = DEFAULT_JWKS_REFRESH;
    private Duration jwksMinRefetch = MIN_JWKS_REFETCH;
    private String rolesClaim = DEFAULT_ROLES_CLAIM;
    private boolean requireExpiry = true;
    private Clock clock = Clock.systemUTC();
    private final List<JwksSource> sources = new ArrayList<>();
    private final List<Path> jwksFiles = new ArrayList<>();
    private Optional<URI> jwksUrl = Optional.empty();

    Builder() {}

    /** The required {@code iss} claim. */
    public Builder issuer(String issuer) {
      this.issuer = Optional.of(nonBlank("issuer", issuer));
      return this;
    }

    /** A value the {@code aud} claim must contain. */
    public Builder audience(String audience) {
      this.audience = Optional.of(nonBlank("audience", audience));
      return this;
    }

    /** How far clocks may disagree when checking {@code exp} and {@code nbf}; default 60 s. */
    public Builder clockSkew(Duration clockSkew) {
      if (clockSkew.isNegative()) {
        throw new IllegalArgumentException("clockSkew: " + clockSkew + " (expected: >= 0)");
      }
      this.clockSkew = clockSkew;
      return this;
    }

    /** Whether a token without {@code exp} is rejected; default yes. */
    public Builder requireExpiry(boolean requireExpiry) {
      this.requireExpiry = requireExpiry;
      return this;
    }

    /**
     * The claim with the roles: a list or a space-separated string; a dotted path such as {@code
     * realm_access.roles} reaches into objects.
     */
    public Builder rolesClaim(String rolesClaim) {
      this.rolesClaim = nonBlank("rolesClaim", rolesClaim);
      return this;
    }

    /** Verifies signatures with this RSA or EC public key. */
    public Builder publicKey(PublicKey key) {
      sources.add(JwksSource.of(key));
      return this;
    }

    /**
     * Verifies signatures with the public key in this PEM text ({@code -----BEGIN PUBLIC
     * KEY-----}).
     */
    public Builder publicKeyPem(String pem) {
      sources.add(JwksSource.ofPem(pem));
      return this;
    }

    /** Verifies HMAC (HS256/384/512) signatures with this shared secret (at least 32 bytes). */
    public Builder secret(String secret) {
      sources.add(JwksSource.ofSecret(secret));
      return this;
    }

    /** Verifies signatures with the keys of this JWKS JSON text. */
    public Builder jwks(String json) {
      sources.add(JwksSource.ofJson(json));
      return this;
    }

    /**
     * Verifies signatures with the keys of this JWKS file, read again every {@link #jwksRefresh}.
     */
    public Builder jwksFile(Path file) {
      jwksFiles.add(file);
      return this;
    }

    /** Verifies signatures with the keys published at this URL ({@code http} or {@code https}). */
    public Builder jwksUrl(URI url) {
      String scheme = Optional.ofNullable(url.getScheme()).orElse("");
      if (!scheme.equals("https") && !scheme.equals("http")) {
        throw new IllegalArgumentException("jwksUrl: " + url + " (expected: an http or https URL)");
      }
      this.jwksUrl = Optional.of(url);
      return this;
    }

    /** How long downloaded or file keys are kept before they are read again; default 10 minutes. */
    public Builder jwksRefresh(Duration jwksRefresh) {
      if (jwksRefresh.isNegative() || jwksRefresh.isZero()) {
        throw new IllegalArgumentException("jwksRefresh: " + jwksRefresh + " (expected: > 0)");
      }
      this.jwksRefresh = jwksRefresh;
      return this;
    }

    /**
     * The least time between two downloads of the JWKS URL when tokens name unknown key ids;
     * default 10 s.
     */
    public Builder jwksMinRefetch(Duration jwksMinRefetch) {
      if (jwksMinRefetch.isNegative()) {
        throw new IllegalArgumentException(
            "jwksMinRefetch: " + jwksMinRefetch + " (expected: >= 0)");
      }
      this.jwksMinRefetch = jwksMinRefetch;
      return this;
    }

    /** The clock tokens are checked against (tests). */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public TokenVerifier build() {
      List<JwksSource> all = new ArrayList<>(sources);
      for (Path file : jwksFiles) {
        all.add(JwksSource.ofFile(file, jwksRefresh));
      }
      jwksUrl.ifPresent(url -> all.add(JwksSource.ofUrl(url, jwksRefresh, jwksMinRefetch)));
      if (all.isEmpty()) {
        throw new IllegalArgumentException(
            "JWT verifier: no key (expected: publicKey, publicKeyPem, secret, jwks, jwksFile or jwksUrl)");
      }
      return new JwtTokenVerifier(
          issuer, audience, clockSkew, requireExpiry, rolesClaim, clock, JwksSource.all(all));
    }

    private static String nonBlank(String what, String value) {
      if (value.isBlank()) {
        throw new IllegalArgumentException(what + ": blank (expected: a value)");
      }
      return value;
    }
  }
}
