package io.vireo.internal.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.config.Values;
import io.vireo.security.Principal;
import io.vireo.security.TokenVerifier;
import java.security.Key;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import reactor.core.publisher.Mono;

/** A {@link TokenVerifier} of signed JWTs; built by {@link io.vireo.security.JwtVerifier}. */
public final class JwtTokenVerifier implements TokenVerifier {
  private static final DefaultJWSVerifierFactory VERIFIERS = new DefaultJWSVerifierFactory();

  private final Optional<String> issuer;
  private final Optional<String> audience;
  private final Duration clockSkew;
  private final boolean requireExpiry;
  private final String[] rolesPath;
  private final Clock clock;
  private final JwksSource keys;

  public JwtTokenVerifier(
      Optional<String> issuer,
      Optional<String> audience,
      Duration clockSkew,
      boolean requireExpiry,
      String rolesClaim,
      Clock clock,
      JwksSource keys) {
    this.issuer = issuer;
    this.audience = audience;
    this.clockSkew = clockSkew;
    this.requireExpiry = requireExpiry;
    this.rolesPath = rolesClaim.split("\\.");
    this.clock = clock;
    this.keys = keys;
  }

  @Override
  public Mono<Principal> verify(String token) {
    return Mono.defer(
        () -> {
          SignedJWT jwt;
          try {
            jwt = SignedJWT.parse(token);
          } catch (ParseException e) {
            return unauthenticated("token is not a signed JWT (" + e.getMessage() + ")");
          }
          JWSHeader header = jwt.getHeader();
          return keys.keys(false)
              .flatMap(
                  known -> {
                    List<JWK> candidates = candidates(known, header);
                    return candidates.isEmpty() && header.getKeyID() != null
                        ? keys.keys(true).map(again -> candidates(again, header))
                        : Mono.just(candidates);
                  })
              .flatMap(candidates -> verified(jwt, header, candidates));
        });
  }

  private Mono<Principal> verified(SignedJWT jwt, JWSHeader header, List<JWK> candidates) {
    if (candidates.isEmpty()) {
      return unauthenticated(
          "bad signature: no key for alg "
              + header.getAlgorithm()
              + (header.getKeyID() == null ? "" : " and kid " + header.getKeyID()));
    }
    boolean valid = false;
    for (JWK candidate : candidates) {
      try {
        if (jwt.verify(VERIFIERS.createJWSVerifier(header, key(candidate)))) {
          valid = true;
          break;
        }
      } catch (JOSEException | IllegalStateException e) {
        // a key of the wrong size or kind for this algorithm: try the next one
      }
    }
    if (!valid) {
      return unauthenticated("bad signature");
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      return unauthenticated("token claims are not JSON (" + e.getMessage() + ")");
    }
    Optional<String> problem = checkClaims(claims);
    return problem.isPresent() ? unauthenticated(problem.get()) : Mono.just(principal(claims));
  }

  private Optional<String> checkClaims(JWTClaimsSet claims) {
    Instant now = clock.instant();
    Date expiry = claims.getExpirationTime();
    if (expiry == null && requireExpiry) {
      return Optional.of("token has no expiry (exp claim)");
    }
    if (expiry != null && now.isAfter(expiry.toInstant().plus(clockSkew))) {
      return Optional.of(
          "token expired at "
              + expiry.toInstant()
              + " (now "
              + now
              + ", clock skew "
              + Values.format(clockSkew)
              + ")");
    }
    Date notBefore = claims.getNotBeforeTime();
    if (notBefore != null && now.isBefore(notBefore.toInstant().minus(clockSkew))) {
      return Optional.of("token not valid before " + notBefore.toInstant() + " (now " + now + ")");
    }
    if (issuer.isPresent() && !issuer.get().equals(claims.getIssuer())) {
      return Optional.of(
          "wrong issuer: " + claims.getIssuer() + " (expected: " + issuer.get() + ")");
    }
    if (audience.isPresent()
        && (claims.getAudience() == null || !claims.getAudience().contains(audience.get()))) {
      return Optional.of(
          "wrong audience: " + claims.getAudience() + " (expected: " + audience.get() + ")");
    }
    return Optional.empty();
  }

  private Principal principal(JWTClaimsSet claims) {
    Map<String, Object> all = new LinkedHashMap<>();
    claims
        .getClaims()
        .forEach(
            (name, value) -> {
              if (value != null) {
                all.put(name, value);
              }
            });
    String subject =
        Optional.ofNullable(claims.getSubject())
            .or(() -> Optional.ofNullable(all.get("client_id")).map(Object::toString))
            .orElse("");
    Object roles = all;
    for (String part : rolesPath) {
      roles = roles instanceof Map<?, ?> map ? map.get(part) : null;
    }
    Set<String> scopes = new LinkedHashSet<>(strings(all.get("scope")));
    scopes.addAll(strings(all.get("scp")));
    return new Principal(subject, new LinkedHashSet<>(strings(roles)), scopes, all);
  }

  /** A list claim, or a space- or comma-separated string claim, as strings. */
  private static List<String> strings(Object claim) {
    List<String> values = new ArrayList<>();
    if (claim instanceof Collection<?> collection) {
      collection.forEach(value -> values.add(String.valueOf(value)));
    } else if (claim instanceof String text) {
      for (String value : text.split("[\\s,]+")) {
        if (!value.isEmpty()) {
          values.add(value);
        }
      }
    }
    return values;
  }

  /**
   * Keys that can check this header's algorithm: matching family, matching kid when both have one,
   * not for encryption.
   */
  private static List<JWK> candidates(List<JWK> keys, JWSHeader header) {
    JWSAlgorithm algorithm = header.getAlgorithm();
    List<JWK> candidates = new ArrayList<>();
    for (JWK key : keys) {
      boolean family =
          (key instanceof RSAKey && JWSAlgorithm.Family.RSA.contains(algorithm))
              || (key instanceof ECKey && JWSAlgorithm.Family.EC.contains(algorithm))
              || (key instanceof OctetSequenceKey
                  && JWSAlgorithm.Family.HMAC_SHA.contains(algorithm));
      boolean kid =
          header.getKeyID() == null
              || key.getKeyID() == null
              || header.getKeyID().equals(key.getKeyID());
      boolean use = key.getKeyUse() == null || KeyUse.SIGNATURE.equals(key.getKeyUse());
      if (family && kid && use) {
        candidates.add(key);
      }
    }
    return candidates;
  }

  private static Key key(JWK jwk) throws JOSEException {
    if (jwk instanceof RSAKey rsa) {
      return rsa.toRSAPublicKey();
    }
    if (jwk instanceof ECKey ec) {
      return ec.toECPublicKey();
    }
    return ((OctetSequenceKey) jwk).toSecretKey();
  }

  private static <T> Mono<T> unauthenticated(String message) {
    return Mono.error(new VireoException(Status.UNAUTHENTICATED, message));
  }
}
