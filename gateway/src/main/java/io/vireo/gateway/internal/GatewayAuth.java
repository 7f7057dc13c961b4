package io.vireo.gateway.internal;

import io.vireo.config.Config;
import io.vireo.security.JwtVerifier;
import io.vireo.security.Principal;
import io.vireo.security.TokenVerifier;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The gateway's token verifier, from Vireo's verifiers: {@code vireo.gateway.auth.jwt.*} (the keys
 * of {@code vireo.server.auth.jwt.*}: issuer, audience, secret, public-key, public-key-file, jwks,
 * jwks-file, jwks-url, roles-claim, clock-skew) and static tokens {@code
 * vireo.gateway.auth.static.<subject>.token} with {@code .roles} and {@code .scopes}.
 */
final class GatewayAuth {
  private static final String PREFIX = "vireo.gateway.auth.";

  private GatewayAuth() {}

  static Optional<TokenVerifier> verifier(Config config) {
    Optional<TokenVerifier> tokens = staticTokens(config);
    Optional<TokenVerifier> jwt = jwt(config);
    if (tokens.isPresent() && jwt.isPresent()) {
      return Optional.of(tokens.get().or(jwt.get()));
    }
    return tokens.or(() -> jwt);
  }

  private static Optional<TokenVerifier> staticTokens(Config config) {
    Map<String, Map<String, String>> bySubject = new TreeMap<>();
    config
        .subset(PREFIX + "static")
        .forEach(
            (key, value) -> {
              int dot = key.lastIndexOf('.');
              if (dot > 0) {
                bySubject
                    .computeIfAbsent(key.substring(0, dot), s -> new LinkedHashMap<>())
                    .put(key.substring(dot + 1), value);
              }
            });
    Map<String, Principal> tokens = new LinkedHashMap<>();
    bySubject.forEach(
        (subject, keys) -> {
          String token = keys.get("token");
          if (token == null || token.isBlank()) {
            throw new IllegalArgumentException(
                PREFIX
                    + "static."
                    + subject
                    + ".token: missing (expected: the token of "
                    + subject
                    + ")");
          }
          tokens.put(
              token.trim(),
              new Principal(subject, list(keys.get("roles")), list(keys.get("scopes")), Map.of()));
        });
    return tokens.isEmpty() ? Optional.empty() : Optional.of(TokenVerifier.tokens(tokens));
  }

  private static Optional<TokenVerifier> jwt(Config config) {
    String prefix = PREFIX + "jwt.";
    if (config.subset(PREFIX + "jwt").isEmpty()) {
      return Optional.empty();
    }
    JwtVerifier.Builder builder = JwtVerifier.builder();
    config.get(prefix + "issuer").ifPresent(builder::issuer);
    config.get(prefix + "audience").ifPresent(builder::audience);
    builder.clockSkew(config.getDuration(prefix + "clock-skew", JwtVerifier.DEFAULT_CLOCK_SKEW));
    config.get(prefix + "roles-claim").ifPresent(builder::rolesClaim);
    config.get(prefix + "secret").ifPresent(builder::secret);
    config.get(prefix + "public-key").ifPresent(builder::publicKeyPem);
    config
        .get(prefix + "public-key-file")
        .ifPresent(
            file -> {
              try {
                builder.publicKeyPem(Files.readString(Path.of(file)));
              } catch (IOException e) {
                throw new IllegalArgumentException(
                    prefix + "public-key-file: " + file + " cannot be read (expected: a PEM file)",
                    e);
              }
            });
    config.get(prefix + "jwks").ifPresent(builder::jwks);
    config.get(prefix + "jwks-file").ifPresent(file -> builder.jwksFile(Path.of(file)));
    config.get(prefix + "jwks-url").ifPresent(url -> builder.jwksUrl(URI.create(url)));
    try {
      return Optional.of(builder.build());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          prefix.substring(0, prefix.length() - 1) + ": " + e.getMessage(), e);
    }
  }

  private static Set<String> list(String text) {
    return text == null
        ? Set.of()
        : Set.copyOf(
            Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
  }
}
